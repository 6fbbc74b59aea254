package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.NativeHeap;
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
import dev.vqclip.engine.run.StepStages;
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

    @Option(names = "--stages", description = "Also print seconds per step of each stage (decoder forward, cutouts, "
            + "CLIP forward, CLIP backward, decoder backward, Adam, memory hand-back).")
    boolean stages;

    @Option(names = "--profile", paramLabel = "FILE", description = "Write PyTorch's operator profile of the timed "
            + "steps to FILE (Chrome trace JSON; packaging/profile-summary.py sums it per operator).")
    java.nio.file.Path profile;

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
                StepStages recorder = StepStages.recorder();
                run.recordStages(recorder);
                StepEvent warm = run.step(false);
                System.out.printf(Locale.ROOT, "warm-up step: %.3f s, loss %.4f%n", warm.seconds(), warm.totalLoss());
                recorder.reset();
                int last = Math.max(steps, memoryAt.stream().mapToInt(Integer::intValue).max().orElse(0));
                double timed = 0;
                if (profile != null) {
                    ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                }
                CpuTimes cpu0 = CpuTimes.now();
                CpuTimes cpuPerStep = null;
                double sinceReport = 0;
                int lastReport = 0;
                for (int k = 1; k <= last; k++) {
                    // wall time around the whole call: it includes handing memory back, which the event's does not
                    long t0 = System.nanoTime();
                    run.step(false);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (k <= steps) {
                        timed += seconds;
                        if (k == steps) {
                            cpuPerStep = CpuTimes.now().minus(cpu0).per(steps);
                            if (profile != null) {
                                ai.djl.pytorch.jni.JniUtils.stopProfile(profile.toAbsolutePath().toString());
                                System.out.printf(Locale.ROOT, "profile of %d steps: %s%n", steps, profile);
                            }
                            if (stages) {
                                recorder.secondsPerStep().forEach((name, sec) ->
                                        System.out.printf(Locale.ROOT, "stage %s: %.3f s%n", name, sec));
                            }
                        }
                    }
                    sinceReport += seconds;
                    if (memoryAt.contains(k)) {
                        System.out.printf(Locale.ROOT, "after %d steps: %s, %.3f s per step since step %d%n", k,
                                memory(), sinceReport / (k - lastReport), lastReport);
                        sinceReport = 0;
                        lastReport = k;
                    }
                }
                ProcessMemory after = ProcessMemory.now();
                System.out.printf(Locale.ROOT, "memory after the run: %s%n", memory());
                if (NativeHeap.mode() == NativeHeap.Mode.IDLE && !models.device().isGpu()) {
                    Thread.sleep(NativeHeap.idleMillis() + 500);
                    System.out.printf(Locale.ROOT, "memory when idle for %d ms: %s%n", NativeHeap.idleMillis() + 500,
                            memory());
                }
                if (after.peakRssBytes() > 0) {
                    long est = check.estimate().totalBytes();
                    System.out.printf(Locale.ROOT, "peak memory: measured %d bytes, estimated %d bytes, ratio %.3f%n",
                            after.peakRssBytes(), est, est / (double) after.peakRssBytes());
                }
                if (cpuPerStep != null && cpuPerStep.total() >= 0) {
                    // CPU time of all the process's threads: less sensitive to other jobs on the machine than wall
                    // time (but it counts OpenMP's spin-waiting too); system time is mostly page faults
                    System.out.printf(Locale.ROOT, "process CPU seconds per step: %s%n", cpuPerStep.describe());
                }
                System.out.printf(Locale.ROOT, "seconds per step: %.3f%n", timed / steps);
            }
        }
        return 0;
    }

    /**
     * CPU time of the whole process: split into user and system time on Linux ({@code /proc/self/stat}, clock ticks of
     * 1/100 s), the total alone elsewhere (the JVM's process CPU time).
     *
     * @param total seconds, negative when unknown
     * @param user seconds in user mode, negative when unknown
     * @param system seconds in the kernel (page faults, mostly), negative when unknown
     */
    record CpuTimes(double total, double user, double system) {
        private static final double TICK = 0.01;

        static CpuTimes now() {
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
                // fields after the command name (which may hold spaces) in parentheses: state is field 3
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                double user = Long.parseLong(f[11]) * TICK;
                double system = Long.parseLong(f[12]) * TICK;
                return new CpuTimes(user + system, user, system);
            } catch (Exception e) {
                java.lang.management.OperatingSystemMXBean os =
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                double total = os instanceof com.sun.management.OperatingSystemMXBean sun
                        ? sun.getProcessCpuTime() / 1e9 : -1;
                return new CpuTimes(total, -1, -1);
            }
        }

        CpuTimes minus(CpuTimes o) {
            return new CpuTimes(difference(total, o.total), difference(user, o.user), difference(system, o.system));
        }

        CpuTimes per(int n) {
            return new CpuTimes(total < 0 ? total : total / n, user < 0 ? user : user / n,
                    system < 0 ? system : system / n);
        }

        /** @return e.g. {@code 7.820 (user 6.327, system 1.493)}, or the total alone */
        String describe() {
            return user < 0 || system < 0 ? String.format(Locale.ROOT, "%.3f", total)
                    : String.format(Locale.ROOT, "%.3f (user %.3f, system %.3f)", total, user, system);
        }

        private static double difference(double a, double b) {
            return a < 0 || b < 0 ? -1 : a - b;
        }
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
