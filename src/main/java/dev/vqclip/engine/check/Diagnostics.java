package dev.vqclip.engine.check;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.EngineThreads;
import dev.vqclip.engine.nn.Convs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What a user pastes into a bug report: the machine, the PyTorch build, how its threads wait, the instruction set
 * oneDNN uses, and the numerical self-check of a model's operations. Shown by {@code vqclip doctor} and the studio's
 * diagnostics dialog.
 */
public final class Diagnostics {
    /** The ISA flags that decide which oneDNN kernels run (in the order of their generations). */
    static final List<String> ISA_FLAGS = List.of("sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni",
            "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni", "avx512_bf16",
            "avx512_fp16", "avx512_vp2intersect", "amx_tile", "amx_bf16", "amx_int8", "asimd", "sve");
    /** The line {@link #probeOnednn} prints for the parent to read. */
    static final String ISA_PREFIX = "onednn_verbose,";

    private Diagnostics() {
    }

    /**
     * The model part of a report.
     *
     * @param name what the shapes belong to, e.g. {@code demo VQGAN}
     * @param convs its convolution shapes
     * @param normChannels its group-norm channel counts
     * @param groups normalisation groups
     */
    public record ModelShapes(String name, Collection<Convs.Signature> convs, Collection<Integer> normChannels,
            int groups) {
    }

    /**
     * Builds the report. Runs the self-check on {@code shapes} on the CPU (and nothing else when it is null).
     *
     * @param version the program's version line
     * @param shapes the model whose operations to check, or null
     * @param onednnProbe a command that starts this program's {@code --onednn-probe} in a child process (the child
     *     prints oneDNN's own verbose header), or null to skip that line
     */
    public static String report(String version, ModelShapes shapes, List<String> onednnProbe) {
        StringBuilder b = new StringBuilder();
        b.append(version).append(" - diagnostics (paste all of this into a bug report)\n\n");
        b.append("System\n");
        line(b, "OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        line(b, "Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        line(b, "CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        line(b, "ISA flags", String.join(" ", isaFlags()));
        b.append("\nPyTorch\n");
        String torch;
        try {
            torch = Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException e) {
            torch = "not loaded: " + e.getMessage();
        }
        line(b, "libtorch", torch + ", DJL " + Engine.getDjlVersion());
        line(b, "build", String.join(" ", new TreeSet<>(features())));
        line(b, "library", libtorchPath());
        if (onednnProbe != null) {
            List<String> info = probeChild(onednnProbe);
            line(b, "oneDNN", info.isEmpty() ? "no report (the probe printed nothing)" : String.join("; ", info));
        }
        String limit = EngineThreads.processEnv("ONEDNN_MAX_CPU_ISA");
        line(b, "ISA limit", limit == null ? "none (ONEDNN_MAX_CPU_ISA unset)" : "ONEDNN_MAX_CPU_ISA=" + limit);
        line(b, "threads", String.format(Locale.ROOT, "%d intra-op, %d inter-op (%d cores)",
                ai.djl.pytorch.jni.JniUtils.getNumThreads(), ai.djl.pytorch.jni.JniUtils.getNumInteropThreads(),
                Runtime.getRuntime().availableProcessors()));
        line(b, "waiting", EngineThreads.WAIT_POLICY + " " + EngineThreads.waitPolicy());
        line(b, "huge pages", dev.vqclip.engine.NativeHeap.THP_SWITCH + " " + EngineThreads.hugePages());
        line(b, "hand-back", switch (dev.vqclip.engine.NativeHeap.mode()) {
            case IDLE -> "freed memory goes back to the system " + dev.vqclip.engine.NativeHeap.idleMillis()
                    + " ms after the last step";
            case STEP -> "after every step (-Dvqclip.nativeHeap=step)";
            case KEEP -> "never (-Dvqclip.nativeHeap=keep)";
        });
        String ompThreads = EngineThreads.processEnv("OMP_NUM_THREADS");
        if (ompThreads != null) {
            line(b, "OMP_NUM_THREADS", ompThreads);
        }
        b.append("\nStandard error\n");
        line(b, "filter", dev.vqclip.engine.NativeStderr.state());
        List<String> dropped = dev.vqclip.engine.NativeStderr.dropped();
        line(b, "dropped", dropped.isEmpty() ? "nothing so far" : dropped.get(0));
        for (String d : dropped.subList(Math.min(1, dropped.size()), dropped.size())) {
            line(b, "", d);
        }
        b.append("\nGPU and runtime\n");
        // DJL's own GPU messages are muted (logback.xml); the probe finds the reasons itself
        for (String finding : dev.vqclip.engine.GpuDiagnosis.report(dev.vqclip.engine.GpuProbe.collect())) {
            int colon = finding.indexOf(": ");
            line(b, colon > 0 ? finding.substring(0, colon) : "", colon > 0 ? finding.substring(colon + 2) : finding);
        }
        List<KernelCheck.Result> results;
        if (shapes != null) {
            long t0 = System.nanoTime();
            results = KernelCheck.run(shapes.convs(), shapes.normChannels(), shapes.groups(), Device.cpu());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            b.append(String.format(Locale.ROOT, "%nSelf-check of the %s (%d convolution shapes), %d ms; relative "
                    + "errors against float64, tolerance %.0e%n", shapes.name(), shapes.convs().size(), ms,
                    KernelCheck.TOLERANCE));
        } else {
            results = KernelCheck.results();
            b.append(String.format(Locale.ROOT, "%nSelf-check at model load (%d operations checked in this "
                    + "process); relative errors against float64, tolerance %.0e%n", results.size(),
                    KernelCheck.TOLERANCE));
            if (results.isEmpty()) {
                b.append("  no model loaded yet\n");
            }
        }
        for (KernelCheck.Result r : results) {
            b.append("  ").append(r.describe()).append('\n');
        }
        List<String> actions = KernelCheck.actions();
        long wrong = results.stream().filter(r -> !r.passed()).count();
        if (!results.isEmpty()) {
            if (actions.isEmpty() && wrong == 0) {
                b.append("  result: every operation is right with the default kernels; nothing changed\n");
            } else if (wrong == 0) {
                b.append("  result: right, after these changes at model load:\n");
            } else {
                b.append("  result: ").append(wrong).append(" WRONG\n");
            }
        }
        for (String a : actions) {
            b.append("  - ").append(a).append('\n');
        }
        return b.toString();
    }

    /**
     * Runs one convolution that PyTorch hands to oneDNN: with {@code ONEDNN_VERBOSE=1} in the environment oneDNN
     * prints its version and the instruction set it dispatches to.
     */
    public static void probeOnednn() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.ones(new Shape(1, 64, 24, 24));
            NDArray w = m.ones(new Shape(3, 64, 3, 3));
            Convs.nativeConv2d(x, w, null, 1, 1).close();
        }
    }

    private static List<String> probeChild(List<String> command) {
        List<String> out = new ArrayList<>();
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("ONEDNN_VERBOSE", "1");
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    int at = l.indexOf(",info,");
                    if (l.startsWith(ISA_PREFIX) && at >= 0 && !l.contains("template:") && !l.contains(",gpu,")
                            && !l.contains(",graph,")) {
                        out.add(l.substring(at + ",info,".length()).replace("cpu,", ""));
                    }
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            out.add("probe failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private static Set<String> features() {
        try {
            return ai.djl.pytorch.jni.JniUtils.getFeatures();
        } catch (RuntimeException | LinkageError e) {
            return Set.of("unknown");
        }
    }

    private static String libtorchPath() {
        try {
            return ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
        } catch (RuntimeException | LinkageError e) {
            return "unknown";
        }
    }

    /** @return this program started again with {@code doctor --onednn-probe} (the runtime's own java) */
    public static List<String> probeCommand(String mainClass) {
        Path java = Path.of(System.getProperty("java.home"), "bin",
                System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows") ? "java.exe" : "java");
        return List.of(java.toString(), "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                mainClass, "doctor", "--onednn-probe");
    }

    /** @return the CPU's marketing name (Linux: /proc/cpuinfo), or the architecture */
    static String cpuModel() {
        for (String l : cpuinfo()) {
            if (l.startsWith("model name") && l.contains(":")) {
                return l.substring(l.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    /** @return the ISA flags among {@link #ISA_FLAGS} the CPU reports (Linux), in that order */
    static List<String> isaFlags() {
        Set<String> have = new TreeSet<>();
        for (String l : cpuinfo()) {
            if ((l.startsWith("flags") || l.startsWith("Features")) && l.contains(":")) {
                have.addAll(List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")));
                break;
            }
        }
        List<String> out = new ArrayList<>();
        for (String f : ISA_FLAGS) {
            if (have.contains(f)) {
                out.add(f);
            }
        }
        if (out.isEmpty()) {
            out.add("(not readable on this system)");
        }
        return out;
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(String.format(Locale.ROOT, "  %-16s %s%n", key, value));
    }
}
