package dev.vqclip.cli;

import dev.vqclip.training.DemoDiagnosis;
import dev.vqclip.models.DemoModels;
import dev.vqclip.training.DemoTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqclip train-demo}: trains the bundled demo VQGAN and CLIP on the shapes world. */
@Command(name = "train-demo", mixinStandardHelpOptions = true,
        description = "Train the small demo VQGAN and CLIP on a synthetic world of coloured shapes and write them "
                + "(vqgan.safetensors, vqgan.yaml, clip.safetensors, bpe.txt.gz, train.json) to --out. With the "
                + "defaults this takes most of an hour or more on two cores (48 to 83 minutes measured; the CLIP's "
                + "5,000 steps bound it); the progress lines say how long is left.")
public final class TrainDemoCommand implements Callable<Integer> {
    @Option(names = "--seed", description = "Seed of the data and the initial weights (default ${DEFAULT-VALUE}).",
            defaultValue = "1")
    long seed;

    @Option(names = "--out", description = "Output folder (default ${DEFAULT-VALUE}).",
            defaultValue = "assets/models/demo")
    Path out;

    @Option(names = "--vqgan-steps", description = "VQGAN optimiser steps (default ${DEFAULT-VALUE}).",
            defaultValue = "2000")
    int vqganSteps;

    @Option(names = "--clip-steps", description = "CLIP optimiser steps (default ${DEFAULT-VALUE}).",
            defaultValue = "5000")
    int clipSteps;

    @Option(names = "--threads", description = "PyTorch threads in all (default ${DEFAULT-VALUE}). Training both "
            + "models runs them side by side, each on half of them (at least one); one thread per model gives "
            + "bit-identical files for a seed.", defaultValue = "2")
    int threads;

    @Option(names = "--diagnose", hidden = true, description = "Instead of training: measure the demo models in "
            + "--out (VQGAN colour range, CLIP guidance loss of true vs generated images in this folder's p1..p4.png).")
    Path diagnose;

    @Option(names = "--clip-only", description = "Keep the VQGAN in --out (its train.json must describe it), train "
            + "only the CLIP.")
    boolean clipOnly;

    @Option(names = "--vqgan-only", description = "Keep the CLIP and its vocabulary in --out (its train.json must "
            + "describe them), train only the VQGAN.")
    boolean vqganOnly;

    @Override
    public Integer call() throws Exception {
        if (diagnose != null) {
            DemoDiagnosis.run(out, diagnose, Integer.getInteger("vqclip.diagnose.size", DemoModels.DEFAULT_SIZE), line -> System.err.println(line));
            return 0;
        }
        if (vqganSteps < 1 || clipSteps < 1 || threads < 1) {
            throw new IllegalArgumentException("--vqgan-steps, --clip-steps and --threads must be at least 1");
        }
        if (clipOnly && vqganOnly) {
            throw new IllegalArgumentException("--clip-only and --vqgan-only exclude each other (to train both, give "
                    + "neither)");
        }
        DemoTraining.Phases phases = clipOnly ? DemoTraining.Phases.CLIP_ONLY
                : vqganOnly ? DemoTraining.Phases.VQGAN_ONLY : DemoTraining.Phases.BOTH;
        DemoTraining.Report r = DemoTraining.run(new DemoTraining.Options(seed, out, vqganSteps, clipSteps, threads,
                        phases),
                line -> System.err.println(line));
        System.err.printf(Locale.ROOT, "trained the demo models in %.0f s (VQGAN %.0f s, CLIP %.0f s); held-out "
                        + "caption ranking %.1f%%; wrote %s%n", r.wallSeconds(), r.vqganSeconds(),
                r.clipSeconds(), 100 * r.ranking().accuracy(), out.toAbsolutePath());
        return 0;
    }
}
