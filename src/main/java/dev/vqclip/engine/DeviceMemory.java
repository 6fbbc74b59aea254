package dev.vqclip.engine;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;

import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * How much memory a run may use on a device. On the CPU: the memory the system can still give
 * ({@code MemAvailable} of {@code /proc/meminfo}) plus what this process already holds (its resident set, which
 * includes the loaded models), or an explicit limit the user set. On a CUDA GPU: the device's free memory (through
 * DJL's {@code CudaUtils}) plus what this process holds there, taken as the models' weights and the runtime, which
 * the caller passes.
 *
 * @param bytes the memory a run may use in all, or -1 when unknown (then every size is allowed)
 * @param source where the figure comes from, e.g. "the CPU: 6.1 GiB available + 1.4 GiB this process holds"
 */
public record DeviceMemory(long bytes, String source) {
    /** A system property with a limit such as {@code 6g} or {@code 512m}, for the CPU (the CLI's --memory-limit). */
    public static final String LIMIT_PROPERTY = "vqclip.memoryLimit";

    /** @return whether the figure is known */
    public boolean known() {
        return bytes >= 0;
    }

    /**
     * @param device where the run will be
     * @param limitBytes an explicit limit (from --memory-limit or a setting), or -1 for none
     * @param heldOnGpu bytes this process holds on the GPU already (weights and runtime), ignored on the CPU
     * @return what the run may use
     */
    public static DeviceMemory of(Device device, long limitBytes, long heldOnGpu) {
        if (limitBytes < 0) {
            limitBytes = propertyLimit();
        }
        if (limitBytes >= 0) {
            return new DeviceMemory(limitBytes, "the memory limit");
        }
        if (device.isGpu()) {
            try {
                MemoryUsage u = CudaUtils.getGpuMemory(device);
                long free = u.getMax() - u.getCommitted();
                return new DeviceMemory(free + heldOnGpu, String.format(Locale.ROOT, "GPU %d: %s free of %s + %s "
                        + "this process holds", device.getDeviceId(), gib(free), gib(u.getMax()), gib(heldOnGpu)));
            } catch (RuntimeException | LinkageError e) {
                return new DeviceMemory(-1, "GPU " + device.getDeviceId() + ": free memory unknown (" + e.getMessage()
                        + ")");
            }
        }
        OptionalLong available = meminfo("MemAvailable:");
        OptionalLong held = processResident();
        if (available.isEmpty() || held.isEmpty()) {
            return new DeviceMemory(-1, "the CPU: available memory unknown on this system");
        }
        return new DeviceMemory(available.getAsLong() + held.getAsLong(), String.format(Locale.ROOT,
                "the CPU: %s available + %s this process holds", gib(available.getAsLong()), gib(held.getAsLong())));
    }

    /**
     * @param text e.g. {@code 6g}, {@code 6G}, {@code 512m}, {@code 6.5g} or a number of bytes
     * @return bytes
     * @throws IllegalArgumentException naming the value
     */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (!t.isEmpty() && "kmgt".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("kmgt".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1).trim();
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory size '" + text + "': expected a positive size such as 6g, "
                    + "6.5G or 512m");
        }
    }

    /** @return bytes as "1.23 GiB" */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    private static long propertyLimit() {
        String p = System.getProperty(LIMIT_PROPERTY);
        return p == null || p.isBlank() ? -1 : parseSize(p);
    }

    /** @return this process's resident set size, if the system says */
    public static OptionalLong processResident() {
        return field(Path.of("/proc/self/status"), "VmRSS:");
    }

    private static OptionalLong meminfo(String key) {
        return field(Path.of("/proc/meminfo"), key);
    }

    private static OptionalLong field(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                if (line.startsWith(key)) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return OptionalLong.empty();
    }
}
