package dev.vqclip.cli;

import picocli.CommandLine.Option;

/**
 * The options {@code bench clip} and {@code bench decode} share: timed and untimed iterations, the device, and the
 * seed of the random weights. Add with {@code @Mixin BenchTiming timing = new BenchTiming(WARMUP);}: the command
 * chooses its default number of warm-up iterations.
 */
final class BenchTiming {
    @Option(names = "--iterations", defaultValue = "5", description = "Timed iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", description = "Untimed iterations first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu, gpu:N or mps (Apple silicon) (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random weights (default ${DEFAULT-VALUE}).")
    long seed;

    BenchTiming(int warmup) {
        this.warmup = warmup;
    }
}
