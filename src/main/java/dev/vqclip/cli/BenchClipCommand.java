package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.ClipBenchmark;
import dev.vqclip.engine.clip.ClipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code vqclip bench clip --random-weights ViT-B/32 --cutouts 32}. */
@Command(name = "clip", mixinStandardHelpOptions = true,
        description = "Time CLIP's image encoder on a batch of cutouts: forward, and forward + backward to the "
                + "pixels (what one optimisation step costs in CLIP).")
public final class BenchClipCommand implements Callable<Integer> {
    @Option(names = "--random-weights", required = true, paramLabel = "MODEL",
            description = "Sizes of a published model with random weights: ViT-B/32, ViT-B/16 or ViT-L/14.")
    String model;

    @Option(names = "--cutouts", defaultValue = "32", description = "Images per batch (default ${DEFAULT-VALUE}).")
    int cutouts;

    @Option(names = "--iterations", defaultValue = "5", description = "Timed iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed iterations first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random weights.")
    long seed;

    @Override
    public Integer call() {
        ClipConfig config = ClipConfig.builtin(model);
        Device d = Devices.parse(device);
        long t0 = System.nanoTime();
        try (Clip clip = Clip.randomWeights(config, d, seed)) {
            System.out.printf("CLIP %s (random weights, built in %.1f s) on %s, %d cutouts of %d×%d, %d warm-up + %d"
                            + " timed iterations%n", model, (System.nanoTime() - t0) / 1e9, Devices.describe(d),
                    cutouts, clip.imageResolution(), clip.imageResolution(), warmup, iterations);
            ClipBenchmark.Result r = ClipBenchmark.run(clip, cutouts, warmup, iterations);
            System.out.printf("forward:            %9.1f ms per iteration (median; best %.1f; %.1f ms per cutout)%n",
                    r.msForward(), r.bestForward(), r.msForward() / cutouts);
            System.out.printf("forward + backward: %9.1f ms per iteration (median; best %.1f; %.1f ms per cutout)%n",
                    r.msForwardBackward(), r.bestForwardBackward(), r.msForwardBackward() / cutouts);
        }
        return 0;
    }
}
