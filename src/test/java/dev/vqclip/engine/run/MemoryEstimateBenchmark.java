package dev.vqclip.engine.run;

import dev.vqclip.cli.Main;
import dev.vqclip.testing.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory estimate against measured peak memory on the CPU: {@code vqclip bench step --random-weights} (the
 * real-size vqgan_imagenet_f16_16384 and ViT-B/32 with random weights) at 128, 256 and 384 pixels with 8 and 32
 * cutouts, each in a fresh process whose peak resident set (VmHWM) it prints beside the estimate; every ratio must be
 * within 25%. Also measures the runtime overhead the estimate uses ({@link MemoryEstimate#CPU_OVERHEAD_BYTES}).
 * Takes about 10 minutes on 2 cores: {@code mvn -o surefire:test -Dtest=MemoryEstimateBenchmark
 * -Dsurefire.excludedGroups=none}, or run {@link #main} for the table alone.
 */
@Tag("slow")
class MemoryEstimateBenchmark {
    private static final Pattern PEAK = Pattern.compile(
            "peak memory: measured (\\d+) bytes, estimated (\\d+) bytes, ratio ([0-9.]+)");
    private static final double GIB = 1L << 30;

    /** One measured configuration. */
    record Row(int side, int cutouts, long estimated, long measured) {
        double ratio() {
            return estimated / (double) measured;
        }
    }

    @Test
    void estimateIsWithinAQuarterOfMeasuredPeak() throws Exception {
        long overhead = measureOverhead();
        List<Row> rows = measure(new int[] {128, 256, 384}, new int[] {8, 32});
        System.out.print(table(overhead, rows));
        double o = overhead / (double) MemoryEstimate.CPU_OVERHEAD_BYTES;
        assertTrue(o > 0.7 && o < 1.3, "runtime overhead measured " + overhead + " bytes, the estimate uses "
                + MemoryEstimate.CPU_OVERHEAD_BYTES);
        for (Row r : rows) {
            assertTrue(r.ratio() >= 0.75 && r.ratio() <= 1.25, "estimate off by more than 25%: " + r);
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.print(table(measureOverhead(), measure(new int[] {128, 256, 384}, new int[] {8, 32})));
    }

    static long measureOverhead() throws Exception {
        try (ChildJvm child = ChildJvm.start(RuntimeOverheadProbe.class, List.of(), List.of(), null)) {
            String line = child.await("overhead-bytes ", 300_000);
            return Long.parseLong(line.substring("overhead-bytes ".length()).trim());
        }
    }

    static List<Row> measure(int[] sides, int[] cutouts) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int c : cutouts) {
            for (int s : sides) {
                List<String> args = List.of("bench", "step", "--random-weights", "--device", "cpu", "--size",
                        s + "x" + s, "--cutouts", Integer.toString(c), "--steps", "1");
                try (ChildJvm child = ChildJvm.start(Main.class, List.of(), args, null)) {
                    String line = child.await("peak memory: ", 1_200_000);
                    Matcher m = PEAK.matcher(line);
                    if (!m.find()) {
                        throw new AssertionError("unexpected line: " + line);
                    }
                    rows.add(new Row(s, c, Long.parseLong(m.group(2)), Long.parseLong(m.group(1))));
                    child.waitFor(60_000);
                }
            }
        }
        return rows;
    }

    static String table(long overhead, List<Row> rows) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "runtime overhead measured %.3f GiB (estimate uses %.3f)%n| size | cutouts | estimate (GiB) | "
                + "measured peak RSS (GiB) | estimate / measured |%n|---|---|---|---|---|%n", overhead / GIB,
                MemoryEstimate.CPU_OVERHEAD_BYTES / GIB));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %dx%d | %d | %.2f | %.2f | %.2f |%n", r.side(), r.side(),
                    r.cutouts(), r.estimated() / GIB, r.measured() / GIB, r.ratio()));
        }
        return b.toString();
    }
}
