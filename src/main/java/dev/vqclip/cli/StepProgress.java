package dev.vqclip.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress of a command's optimisation steps on standard error: step, percentage, steps per second, time left and
 * the loss. In a terminal one live line is rewritten after each step; otherwise (a log file, a pipe, a CI job) a plain
 * line is printed after the first step, then at most every {@link #INTERVAL_NANOS interval} and after the last step,
 * so a long run is never silent and a log does not fill up with carriage returns.
 */
final class StepProgress implements AutoCloseable {
    /** How the progress is shown. */
    enum Mode {
        /** One line rewritten in place ({@code \r}): for a terminal. */
        LIVE,
        /** Plain lines at an interval: for a file or a pipe. */
        LINES,
        /** Nothing ({@code --quiet}). */
        OFF
    }

    /** The interval between two plain lines. */
    static final long INTERVAL_NANOS = 10_000_000_000L;

    private final String task;
    private final int start;
    private final int end;
    private final Mode mode;
    private final PrintStream out;
    private final LongSupplier nanos;
    private final long interval;
    private final long t0;
    private long lastPrinted = Long.MIN_VALUE;
    private int lastStep;
    private int printedStep = -1;
    private double lastLoss = Double.NaN;
    private int liveWidth;

    /**
     * @param task the command's name, first on each line
     * @param start the step the run starts from
     * @param end the step it runs to
     * @param mode how to show it
     * @param out standard error
     * @param nanos the clock ({@link System#nanoTime} but in tests)
     * @param interval nanoseconds between two plain lines
     */
    StepProgress(String task, int start, int end, Mode mode, PrintStream out, LongSupplier nanos, long interval) {
        this.task = task;
        this.start = start;
        this.end = end;
        this.mode = mode;
        this.out = out;
        this.nanos = nanos;
        this.interval = interval;
        this.t0 = nanos.getAsLong();
        this.lastStep = start;
    }

    /** A progress on the real clock at the standard interval. */
    StepProgress(String task, int start, int end, Mode mode, PrintStream out) {
        this(task, start, end, mode, out, System::nanoTime, INTERVAL_NANOS);
    }

    /**
     * @param quiet {@code --quiet}
     * @param terminal whether standard error is a terminal
     * @return the mode: {@code -Dvqclip.progress=live|lines|off} when set, else live in a terminal, lines elsewhere
     */
    static Mode mode(boolean quiet, boolean terminal) {
        if (quiet) {
            return Mode.OFF;
        }
        String forced = System.getProperty("vqclip.progress");
        if (forced != null && !forced.isBlank()) {
            try {
                return Mode.valueOf(forced.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-Dvqclip.progress=" + forced + ": expected live, lines or off", e);
            }
        }
        return terminal ? Mode.LIVE : Mode.LINES;
    }

    /** Records that {@code step} is done with that loss, and shows it if it is time to. */
    void step(int step, double loss) {
        lastStep = step;
        lastLoss = loss;
        long now = nanos.getAsLong();
        if (mode == Mode.LIVE) {
            String line = line(now);
            int pad = Math.max(0, liveWidth - line.length());
            liveWidth = line.length();
            out.print("\r" + line + " ".repeat(pad));
            out.flush();
        } else if (mode == Mode.LINES && (printedStep < 0 || now - lastPrinted >= interval || step >= end)) {
            print(now);
        }
    }

    private void print(long now) {
        out.println(line(now));
        out.flush();
        lastPrinted = now;
        printedStep = lastStep;
    }

    /** @return e.g. {@code generate: step 40/400 (10%), 0.13 it/s, 0:45:12 left, loss 1.6468} */
    String line(long now) {
        double seconds = (now - t0) / 1e9;
        int done = lastStep - start;
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder b = new StringBuilder();
        b.append(task).append(": step ").append(lastStep).append('/').append(end);
        b.append(String.format(Locale.ROOT, " (%d%%)", end > 0 ? Math.round(100.0 * lastStep / end) : 100));
        b.append(", ").append(rate(rate)).append(" it/s");
        if (lastStep < end) {
            b.append(", ").append(rate > 0 ? clock((end - lastStep) / rate) + " left" : "time left unknown");
        } else {
            b.append(", took ").append(clock(seconds));
        }
        if (done > 0) {
            b.append(String.format(Locale.ROOT, ", loss %.4f", lastLoss));
        }
        return b.toString();
    }

    /** @return a rate with a leading zero and enough digits to tell slow runs apart: 12.3, 0.13, 0.004 */
    static String rate(double r) {
        if (r >= 10) {
            return String.format(Locale.ROOT, "%.1f", r);
        }
        if (r >= 0.1 || r == 0) {
            return String.format(Locale.ROOT, "%.2f", r);
        }
        return String.format(Locale.ROOT, "%.3f", r);
    }

    /** @return seconds as {@code m:ss} or {@code h:mm:ss} */
    static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Ends the live line, or prints the last step when the last plain line was older. */
    @Override
    public void close() {
        if (mode == Mode.LIVE && liveWidth > 0) {
            out.println();
            out.flush();
        } else if (mode == Mode.LINES && printedStep != lastStep && lastStep > start) {
            print(nanos.getAsLong());
        }
    }
}
