package dev.vqclip.training;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Elapsed time and an estimate of the time left, for a trainer's progress lines: a full {@code train-demo} runs for
 * most of an hour on two cores, and whoever started it should see how long it has to go.
 */
final class StepTimer {
    private final LongSupplier nanos;
    private final long start;

    /** Starts now, on the system's monotonic clock. */
    StepTimer() {
        this(System::nanoTime);
    }

    /** @param nanos a monotonic clock in nanoseconds (tests pass their own) */
    StepTimer(LongSupplier nanos) {
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    /**
     * @param done steps finished (at least 1)
     * @param total steps planned
     * @return e.g. {@code "0:02:05 elapsed, 1.25 s/step, about 1:21:15 left"}; {@code "done in 1:23:20"} at the end
     */
    String progress(int done, int total) {
        if (done < 1 || done > total) {
            throw new IllegalArgumentException("step " + done + " of " + total);
        }
        double elapsed = (nanos.getAsLong() - start) / 1e9;
        if (done == total) {
            return "done in " + clock(elapsed);
        }
        double perStep = elapsed / done;
        return String.format(Locale.ROOT, "%s elapsed, %.2f s/step, about %s left", clock(elapsed), perStep,
                clock(perStep * (total - done)));
    }

    /** @return seconds as h:mm:ss (rounded to the second) */
    static String clock(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
