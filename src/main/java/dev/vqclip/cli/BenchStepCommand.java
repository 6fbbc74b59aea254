package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.ClipConfig;
import dev.vqclip.engine.clip.tokenizer.BpeTrainer;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.MemoryCheck;
import dev.vqclip.engine.run.Run;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.run.StepEvent;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.vqgan.VqganConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code vqclip bench step}: seconds per full optimisation step (decode, cutouts, augmentations, CLIP, backward,
 * Adam), on real-size models with random weights or on the installed ones, and the process's native memory.
 */
@Command(name = "step", mixinStandardHelpOptions = true,
        description = "Time full optimisation steps. Last line: 'seconds per step: X'.")
public final class BenchStepCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--random-weights", description = "Use random weights of real-size models (--vqgan-config, --clip-config) instead of installed models.")
    boolean randomWeights;

    @Option(names = "--vqgan-config", description = "Built-in VQGAN config for --random-weights (default ${DEFAULT-VALUE}).", defaultValue = "vqgan_imagenet_f16_16384")
    String vqganConfig;

    @Option(names = "--clip-config", description = "Built-in CLIP size for --random-weights (default ${DEFAULT-VALUE}).", defaultValue = "ViT-B/32")
    String clipConfig;

    @Option(names = "--size", defaultValue = "256x256", description = "Image size (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--cutouts", defaultValue = "32", description = "Cutouts per step (default ${DEFAULT-VALUE}).")
    int cutouts;

    @Option(names = "--steps", defaultValue = "3", description = "Timed steps after one warm-up step (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--memory-at", split = ",", description = "Also print resident memory after these step counts (e.g. 100,1000).")
    List<Integer> memoryAt = List.of();

    @Option(names = "--gc", description = "Run the garbage collector before each memory figure, so native arrays "
            + "only the collector would free are not counted.")
    boolean collect;

    @Override
    public Integer call() throws Exception {
        int[] wh = GenerateCommand.parseSize(size);
        try (RunModels models = randomWeights ? randomModels() : modelOptions.load(System.err)) {
            GenerationRequest r = GenerationRequest.defaults(PromptParser.parse("a painting of a lighthouse"))
                    .withSize(wh[0], wh[1]).withCutouts(cutouts).withSeed(1);
            System.out.printf(Locale.ROOT, "models: %s%nsize %dx%d, %d cutouts, device %s%n", models.description(),
                    wh[0], wh[1], cutouts, Devices.describe(models.device()));
            MemoryCheck check = MemoryGate.require(models, wh[0], wh[1], cutouts, modelOptions.memoryLimit);
            System.out.printf(Locale.ROOT, "memory estimate: %s; the device has %s%n", check.estimate().describe(),
                    check.available().source());
            System.out.printf(Locale.ROOT, "memory before the run: %s%n", memory());
            try (Run run = Run.start(models, r)) {
                StepEvent warm = run.step(false);
                System.out.printf(Locale.ROOT, "warm-up step: %.3f s, loss %.4f%n", warm.seconds(), warm.totalLoss());
                int last = Math.max(steps, memoryAt.stream().mapToInt(Integer::intValue).max().orElse(0));
                double timed = 0;
                long cpu0 = processCpuNanos();
                double sinceReport = 0;
                double cpuPerStep = -1;
                int lastReport = 0;
                for (int k = 1; k <= last; k++) {
                    StepEvent e = run.step(false);
                    if (k <= steps) {
                        timed += e.seconds();
                        if (k == steps) {
                            cpuPerStep = (processCpuNanos() - cpu0) / 1e9 / steps;
                        }
                    }
                    sinceReport += e.seconds();
                    if (memoryAt.contains(k)) {
                        System.out.printf(Locale.ROOT, "after %d steps: %s, %.3f s per step since step %d%n", k,
                                memory(), sinceReport / (k - lastReport), lastReport);
                        sinceReport = 0;
                        lastReport = k;
                    }
                }
                ProcessMemory after = ProcessMemory.now();
                System.out.printf(Locale.ROOT, "memory after the run: %s%n", memory());
                if (after.peakRssBytes() > 0) {
                    long est = check.estimate().totalBytes();
                    System.out.printf(Locale.ROOT, "peak memory: measured %d bytes, estimated %d bytes, ratio %.3f%n",
                            after.peakRssBytes(), est, est / (double) after.peakRssBytes());
                }
                if (cpuPerStep >= 0) {
                    // CPU time of all the process's threads: less sensitive to other jobs on the machine than wall
                    // time (but it counts OpenMP's spin-waiting too)
                    System.out.printf(Locale.ROOT, "process CPU seconds per step: %.3f%n", cpuPerStep);
                }
                System.out.printf(Locale.ROOT, "seconds per step: %.3f%n", timed / steps);
            }
        }
        return 0;
    }

    /** @return CPU time used by the whole process so far, or a negative number when unknown */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    private RunModels randomModels() throws Exception {
        Device device = Devices.parse(modelOptions.device);
        Vqgan vq = Vqgan.randomWeights(VqganConfig.builtin(vqganConfig), device, 1);
        Clip clip = Clip.randomWeights(ClipConfig.builtin(clipConfig), device, 2);
        ByteArrayOutputStream merges = new ByteArrayOutputStream();
        BpeTrainer.write(BpeTrainer.train(List.of("a painting of a lighthouse"), 64), merges);
        ClipTokenizer tok = ClipTokenizer.fromStream(new ByteArrayInputStream(merges.toByteArray()));
        return new RunModels(vq, clip, tok, device, vqganConfig + " + CLIP " + clipConfig + " (random weights)", false);
    }

    /** @return where the process's memory is now, after a garbage collection when {@link #collect} is set */
    String memory() {
        if (collect) {
            System.gc();
        }
        return ProcessMemory.now().toString();
    }
}
