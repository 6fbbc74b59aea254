package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.vqgan.VqganBenchmark;
import dev.vqclip.engine.vqgan.VqganConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqclip bench decode --config vqgan_imagenet_f16_16384 --random-weights --size 256x256}. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Time the VQGAN decoder: decode alone, and quantize + decode + backward to the latent (what one "
                + "optimisation step costs in the VQGAN).")
public final class BenchDecodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "NAME|YAML",
            description = "A built-in config (" + "vqgan_imagenet_f16_16384, vqgan_imagenet_f16_1024, "
                    + "vqgan_gumbel_f8_8192) or a taming yaml file.")
    String config;

    @Option(names = "--random-weights", description = "Use seeded random weights (no checkpoint needed).")
    boolean randomWeights;

    @Option(names = "--vqgan", paramLabel = "CKPT", description = "Time a real checkpoint instead of random weights.")
    Path checkpoint;

    @Option(names = "--size", defaultValue = "256x256", paramLabel = "WxH",
            description = "Output image size in pixels, multiples of the model's factor (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--batch", defaultValue = "1", description = "Images per decode (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--iterations", defaultValue = "5", description = "Timed iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed iterations first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (randomWeights == (checkpoint != null)) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --random-weights or --vqgan CKPT");
        }
        if (iterations < 1 || warmup < 0 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--iterations and --batch must be ≥ 1, --warmup ≥ 0");
        }
        VqganConfig cfg = ReconstructCommand.config(config);
        int[] wh = GenerateCommand.parseSize(size);
        int f = cfg.factor();
        if (wh[0] % f != 0 || wh[1] % f != 0) {
            throw new ParameterException(spec.commandLine(), "--size " + size + ": width and height must be multiples "
                    + "of the model's factor " + f);
        }
        Device d = Devices.parse(device);
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        try (Vqgan vq = randomWeights ? Vqgan.randomWeights(cfg, d, seed) : Vqgan.fromStateDict(
                dev.vqclip.engine.weights.WeightFiles.load(checkpoint), cfg, d)) {
            out.printf("VQGAN %s (%s, ready in %.1f s) on %s, %d×%d px → latent %d×%d, batch %d, %d warm-up + %d timed"
                            + " iterations, %d CPU threads available%n", cfg.source(),
                    randomWeights ? "random weights" : checkpoint.getFileName(), (System.nanoTime() - t0) / 1e9,
                    Devices.describe(d), wh[0], wh[1], wh[0] / f, wh[1] / f, batch, warmup, iterations,
                    Runtime.getRuntime().availableProcessors());
            out.flush();
            VqganBenchmark.Result r = VqganBenchmark.run(vq, batch, wh[1] / f, wh[0] / f, warmup, iterations);
            out.printf("decode:                       %9.1f ms per iteration (process CPU %.1f ms)%n", r.msDecode(),
                    r.cpuMsDecode());
            out.printf("quantize + decode + backward: %9.1f ms per iteration (%.2f× decode; process CPU %.1f ms)%n",
                    r.msDecodeBackward(), r.ratio(), r.cpuMsDecodeBackward());
            out.flush();
        }
        return 0;
    }
}
