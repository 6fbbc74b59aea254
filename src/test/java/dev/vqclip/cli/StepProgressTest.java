package dev.vqclip.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StepProgressTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void plainLinesComeAtTheFirstStepEveryIntervalAndTheLastSoALongRunIsNeverSilent() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        // a slow run: 7.5 s per step (0.13 it/s), 40 steps from step 10
        try (StepProgress p = new StepProgress("generate", 10, 50, StepProgress.Mode.LINES,
                new PrintStream(buf, true, StandardCharsets.UTF_8), clock::get, StepProgress.INTERVAL_NANOS)) {
            for (int s = 11; s <= 50; s++) {
                clock.addAndGet(7_500_000_000L);
                p.step(s, 2.0 - s / 100.0);
            }
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).isEqualTo("generate: step 11/50 (22%), 0.13 it/s, 4:53 left, loss 1.8900");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("generate: step 50/50 (100%), 0.13 it/s, took 5:00, "
                + "loss 1.5000");
        // every second step: 15 s apart, never more than the interval plus one step
        assertThat(lines).hasSize(21);
        assertThat(lines.get(1)).startsWith("generate: step 13/50 (26%)");
    }

    @Test
    void aFastRunPrintsFewLines() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        try (StepProgress p = new StepProgress("edit", 0, 1000, StepProgress.Mode.LINES,
                new PrintStream(buf, true, StandardCharsets.UTF_8), clock::get, StepProgress.INTERVAL_NANOS)) {
            for (int s = 1; s <= 1000; s++) {
                clock.addAndGet(SECOND / 50);
                p.step(s, 1);
            }
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as("steps 1, 501 (10 s later) and 1000").hasSize(3).first().asString()
                .startsWith("edit: step 1/1000 (0%), 50.0 it/s, 0:20 left");
    }

    @Test
    void theLiveLineIsRewrittenInPlaceAndEndsWithANewline() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        try (StepProgress p = new StepProgress("generate", 0, 400, StepProgress.Mode.LIVE,
                new PrintStream(buf, true, StandardCharsets.UTF_8), clock::get, StepProgress.INTERVAL_NANOS)) {
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
