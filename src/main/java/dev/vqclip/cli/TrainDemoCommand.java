package dev.vqclip.cli;

import dev.vqclip.models.demo.DemoTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqclip train-demo}: trains the bundled demo VQGAN and CLIP on the shapes world. */
@Command(name = "train-demo", mixinStandardHelpOptions = true,
        description = "Train the small demo VQGAN and CLIP on a synthetic world of coloured shapes and write them "
                + "(vqgan.safetensors, vqgan.yaml, clip.safetensors, bpe.txt.gz, train.json) to --out.")
public final class TrainDemoCommand implements Callable<Integer> {
    @Option(names = "--seed", description = "Seed of the data and the initial weights (default ${DEFAULT-VALUE}).",
            defaultValue = "1")
    long seed;

    @Option(names = "--out", description = "Output folder (default ${DEFAULT-VALUE}).",
            defaultValue = "assets/models/demo")
    Path out;

    @Option(names = "--vqgan-steps", description = "VQGAN optimiser steps (default ${DEFAULT-VALUE}).",
            defaultValue = "2500")
    int vqganSteps;

    @Option(names = "--clip-steps", description = "CLIP optimiser steps (default ${DEFAULT-VALUE}).",
            defaultValue = "1800")
    int clipSteps;

    @Option(names = "--threads", description = "PyTorch threads (default ${DEFAULT-VALUE}; 1 gives bit-identical "
            + "files for a seed and is much faster than 2 on a busy machine).", defaultValue = "2")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (vqganSteps < 1 || clipSteps < 1 || threads < 1) {
            throw new IllegalArgumentException("--vqgan-steps, --clip-steps and --threads must be at least 1");
        }
        DemoTraining.Report r = DemoTraining.run(new DemoTraining.Options(seed, out, vqganSteps, clipSteps, threads),
                line -> System.err.println(line));
        System.err.printf(Locale.ROOT, "trained the demo models in %.0f s (VQGAN %.0f s, CLIP %.0f s); held-out "
                        + "caption ranking %.1f%%; wrote %s%n", r.vqganSeconds() + r.clipSeconds(), r.vqganSeconds(),
                r.clipSeconds(), 100 * r.ranking().accuracy(), out.toAbsolutePath());
        return 0;
    }
}
