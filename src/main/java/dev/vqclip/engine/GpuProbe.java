package dev.vqclip.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;

import java.io.File;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Collects {@link GpuFacts} on this machine: the NVIDIA driver's traces, {@code nvidia-smi} (two seconds at most),
 * the libtorch DJL loaded and what CUDA reports through DJL. DJL's own GPU logging is muted (logback.xml), so this is
 * where the reasons are found.
 */
public final class GpuProbe {
    /** Where the start-up selection records its choice ({@code dev.vqclip.runtime.NativeRuntime}). */
    static final String CHOSEN_PROPERTY = "vqclip.runtime.chosen";
    static final String REASON_PROPERTY = "vqclip.runtime.reason";

    private GpuProbe() {
    }

    /** @return the facts (loads DJL's engine if it has not loaded yet) */
    public static GpuFacts collect() {
        String driver = driverVersion(Path.of("/proc/driver/nvidia/version"));
        List<String> nodes = deviceNodes(Path.of("/dev"));
        List<GpuFacts.SmiGpu> smi = new ArrayList<>();
        String smiProblem = nvidiaSmi(smi);
        String folder = null;
        String engineError = null;
        int count = 0;
        try {
            Engine e = Engine.getEngine("PyTorch");
            folder = LibUtils.getLibtorchPath();
            count = e.getGpuCount();
        } catch (RuntimeException | LinkageError e) {
            engineError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        boolean cuda = folder != null && hasCudaLibraries(Path.of(folder));
        boolean cudart = false;
        String cudaVersion = null;
        try {
            cudaVersion = String.valueOf(CudaUtils.getCudaVersion());
            cudart = true;
        } catch (IllegalStateException e) {
            cudart = false; // "No cuda library is loaded."
        } catch (RuntimeException | LinkageError e) {
            cudart = true; // loaded, but the call failed (no device)
        }
        List<GpuFacts.CudaDevice> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String cc;
            long free = -1;
            long total = -1;
            try {
                cc = CudaUtils.getComputeCapability(i);
                cc = cc.length() >= 2 && !cc.contains(".") ? cc.substring(0, cc.length() - 1) + "."
                        + cc.substring(cc.length() - 1) : cc;
            } catch (RuntimeException e) {
                cc = "unknown";
            }
            try {
                MemoryUsage m = CudaUtils.getGpuMemory(Device.gpu(i));
                total = m.getMax();
                free = m.getMax() - m.getCommitted();
            } catch (RuntimeException e) {
                // memory unknown
            }
            devices.add(new GpuFacts.CudaDevice(i, cc, free, total));
        }
        return new GpuFacts(platform(), driver, nodes, smi, smiProblem, folder, cuda, engineError,
                System.getProperty(CHOSEN_PROPERTY), System.getProperty(REASON_PROPERTY), cudart, cudaVersion, count,
                devices);
    }

    /** @return whether the NVIDIA driver shows a GPU (its /proc entry or a /dev/nvidiaN node); cheap, no engine */
    public static boolean nvidiaDriverSeen() {
        return driverVersion(Path.of("/proc/driver/nvidia/version")) != null || !deviceNodes(Path.of("/dev")).isEmpty();
    }

    /** @return this machine's platform in DJL's naming */
    public static String platform() {
        return platform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** @return DJL's platform name for these {@code os.name} and {@code os.arch} values */
    public static String platform(String name, String arch) {
        String os = name.startsWith("Win") ? "win" : name.startsWith("Mac") ? "osx" : name.toLowerCase(Locale.ROOT);
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return os + "-" + a;
    }

    static String driverVersion(Path proc) {
        try {
            List<String> lines = Files.readAllLines(proc, StandardCharsets.UTF_8);
            return lines.isEmpty() ? null : lines.get(0).replaceAll("\\s+", " ").trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static List<String> deviceNodes(Path dev) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dev)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("nvidia\\d+")).sorted()
                    .forEach(n -> out.add("/dev/" + n));
        } catch (IOException | RuntimeException e) {
            // no /dev (Windows): nothing seen
        }
        return out;
    }

    /** Runs nvidia-smi if it is on PATH; fills {@code out}. @return a problem, or null */
    private static String nvidiaSmi(List<GpuFacts.SmiGpu> out) {
        String exe = System.getProperty("os.name", "").startsWith("Win") ? "nvidia-smi.exe" : "nvidia-smi";
        String path = System.getenv("PATH");
        boolean onPath = path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, exe)));
        if (!onPath) {
            return null;
        }
        try {
            Process p = new ProcessBuilder(exe, "--query-gpu=name,memory.total,memory.free,compute_cap",
                    "--format=csv,noheader,nounits").redirectErrorStream(true).start();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not answer within 2 s";
            }
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                return "exit " + p.exitValue() + ": " + text.strip();
            }
            out.addAll(parseSmi(text));
            return null;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Parses {@code name, total MiB, free MiB, compute capability} lines. */
    static List<GpuFacts.SmiGpu> parseSmi(String text) {
        List<GpuFacts.SmiGpu> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String[] f = line.split(",");
            if (f.length < 3) {
                continue;
            }
            try {
                out.add(new GpuFacts.SmiGpu(f[0].trim(), Long.parseLong(f[1].trim()), Long.parseLong(f[2].trim()),
                        f.length > 3 ? f[3].trim() : ""));
            } catch (NumberFormatException e) {
                // a line that is not a GPU (a warning)
            }
        }
        return out;
    }

    static boolean hasCudaLibraries(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).anyMatch(n -> n.contains("torch_cuda")
                    || n.contains("c10_cuda"));
        } catch (IOException e) {
            return false;
        }
    }
}
