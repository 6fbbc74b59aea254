package dev.vqclip.cli;

import dev.vqclip.engine.NativeHeap;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where this process's memory is, for benchmarks: resident set (Linux {@code /proc}), the Java heap, the JVM's own
 * native memory (when started with {@code -XX:NativeMemoryTracking=summary}) and what glibc's allocator holds for
 * native libraries such as libtorch ({@code mallinfo2}: bytes in use and bytes kept free inside its arenas).
 * Resident memory alone cannot tell a leak from a heap that has not been touched yet or from freed blocks the
 * allocator keeps; the split can. Every part is optional: what the platform does not offer reads as absent.
 *
 * @param rssBytes resident set size, or -1
 * @param peakRssBytes peak resident set size, or -1
 * @param heapUsedBytes Java heap in use
 * @param heapCommittedBytes Java heap committed
 * @param jvmNativeCommittedBytes the JVM's own committed memory from native memory tracking (including the heap), or
 *        -1 when tracking is off
 * @param mallocInUseBytes bytes glibc's malloc has handed out and not had back (arenas plus mmapped blocks), or -1
 * @param mallocFreeBytes bytes free inside glibc's arenas (kept, not returned to the system), or -1
 */
public record ProcessMemory(long rssBytes, long peakRssBytes, long heapUsedBytes, long heapCommittedBytes,
                            long jvmNativeCommittedBytes, long mallocInUseBytes, long mallocFreeBytes) {
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)(KB|MB|B)?, committed=(\\d+)(KB|MB|B)?");
    private static final double GIB = 1024.0 * 1024 * 1024;

    /** @return the figures now */
    public static ProcessMemory now() {
        long rss = -1;
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line) * 1024;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux: resident figures stay absent
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        NativeHeap.Stats malloc = NativeHeap.stats().orElse(new NativeHeap.Stats(-1, -1));
        return new ProcessMemory(rss, hwm, heap.getUsed(), heap.getCommitted(), nmtCommitted().orElse(-1),
                malloc.inUseBytes(), malloc.freeHeldBytes());
    }

    /** @return resident memory not explained by the JVM's own tracked memory, or -1 when either is unknown */
    public long outsideJvmBytes() {
        return rssBytes < 0 || jvmNativeCommittedBytes < 0 ? -1 : rssBytes - jvmNativeCommittedBytes;
    }

    /** @return one line, e.g. "RSS 1.20 GiB (peak 1.50), heap 0.10/0.50 GiB, JVM 0.70 GiB, malloc 0.40 GiB + 0.02 free" */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (rssBytes >= 0) {
            b.append(String.format(Locale.ROOT, "RSS %.2f GiB (peak %.2f)", rssBytes / GIB, peakRssBytes / GIB));
        } else {
            b.append("RSS unknown");
        }
        b.append(String.format(Locale.ROOT, ", Java heap %.2f used/%.2f committed", heapUsedBytes / GIB,
                heapCommittedBytes / GIB));
        if (jvmNativeCommittedBytes >= 0) {
            b.append(String.format(Locale.ROOT, ", JVM total %.2f", jvmNativeCommittedBytes / GIB));
        }
        if (mallocInUseBytes >= 0) {
            b.append(String.format(Locale.ROOT, ", malloc %.3f in use + %.3f free", mallocInUseBytes / GIB,
                    mallocFreeBytes / GIB));
        }
        return b.toString();
    }

    private static OptionalLong nmtCommitted() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            Object out = server.invoke(name, "vmNativeMemory", new Object[] {new String[] {"summary"}},
                    new String[] {String[].class.getName()});
            Matcher m = NMT_TOTAL.matcher(String.valueOf(out));
            if (m.find()) {
                return OptionalLong.of(bytes(Long.parseLong(m.group(3)), m.group(4)));
            }
        } catch (Exception | LinkageError e) {
            // tracking off or the bean is missing
        }
        return OptionalLong.empty();
    }

    private static long bytes(long value, String unit) {
        if (unit == null || unit.equals("B")) {
            return value;
        }
        return unit.equals("KB") ? value * 1024 : value * 1024 * 1024;
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
