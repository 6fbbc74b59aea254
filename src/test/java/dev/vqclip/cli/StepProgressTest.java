package dev.vqclip.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;

class StepProgressTest {
    private static final long SECOND = 1_000_000_000L;

    /** A reporter printing into {@code buf} on the fake {@code clock}, with the real interval. */
    private static StepProgress progress(String what, int from, int to, StepProgress.Mode mode,
                                         ByteArrayOutputStream buf, AtomicLong clock) {
        return new StepProgress(what, from, to, mode, new PrintStream(buf, true, StandardCharsets.UTF_8), clock::get,
                StepProgress.INTERVAL_NANOS);
    }

    /** @return the lines printed for steps {@code from + 1 .. to}, each {@code nanosPerStep} long */
    private static List<String> steadyRun(String what, int from, int to, long nanosPerStep, IntToDoubleFunction loss) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        try (StepProgress p = progress(what, from, to, StepProgress.Mode.LINES, buf, clock)) {
            for (int s = from + 1; s <= to; s++) {
                clock.addAndGet(nanosPerStep);
                p.step(s, loss.applyAsDouble(s));
            }
        }
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void plainLinesComeAtTheFirstStepEveryIntervalAndTheLastSoALongRunIsNeverSilent() {
        // a slow run: 7.5 s per step (0.13 it/s), 40 steps from step 10
        List<String> lines = steadyRun("generate", 10, 50, 7_500_000_000L, s -> 2.0 - s / 100.0);
        assertThat(lines.get(0)).isEqualTo("generate: step 11/50 (22%), 0.13 it/s, 4:53 left, loss 1.8900");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("generate: step 50/50 (100%), 0.13 it/s, took 5:00, "
                + "loss 1.5000");
        // every second step: 15 s apart, never more than the interval plus one step
        assertThat(lines).hasSize(21);
        assertThat(lines.get(1)).startsWith("generate: step 13/50 (26%)");
    }

    @Test
    void aFastRunPrintsFewLines() {
        List<String> lines = steadyRun("edit", 0, 1000, SECOND / 50, s -> 1);
        assertThat(lines).as("steps 1, 501 (10 s later) and 1000").hasSize(3).first().asString()
                .startsWith("edit: step 1/1000 (0%), 50.0 it/s, 0:20 left");
    }

    @Test
    void theLiveLineIsRewrittenInPlaceAndEndsWithANewline() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        try (StepProgress p = progress("generate", 0, 400, StepProgress.Mode.LIVE, buf, clock)) {
            clock.addAndGet(7_700_000_000L);
            p.step(1, 1.7025);
            clock.addAndGet(SECOND);
            p.step(2, 1.6468);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(
                "\rgenerate: step 1/400 (0%), 0.13 it/s, 51:12 left, loss 1.7025"
                + "\rgenerate: step 2/400 (1%), 0.23 it/s, 28:51 left, loss 1.6468\n");
    }

    @Test
    void ratesAndTimesAreReadable() {
        assertThat(StepProgress.rate(0.13)).isEqualTo("0.13");
        assertThat(StepProgress.rate(0.0042)).isEqualTo("0.004");
        assertThat(StepProgress.rate(12.34)).isEqualTo("12.3");
        assertThat(StepProgress.clock(21_273)).isEqualTo("5:54:33");
        assertThat(StepProgress.clock(65)).isEqualTo("1:05");
    }
}
