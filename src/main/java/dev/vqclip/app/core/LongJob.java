package dev.vqclip.app.core;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The studio's one long job besides the run (a time-lapse or animation export, an upscaled export, a large save): what
 * it is, how far it is, the time left, and a Cancel. The status bar shows it. The state is the UI thread's; the job's
 * worker reads {@link #isCancelled()} from its own thread and reports progress through the UI thread
 * ({@code executor.runOnUi(() -> job.progress(n))}).
 */
public final class LongJob {
    private final LongSupplier clock;
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper fraction = new ReadOnlyDoubleWrapper();
    private final ReadOnlyIntegerWrapper done = new ReadOnlyIntegerWrapper();
    private volatile boolean cancelled;
    private String what = "";
    private String unit = "";
    private int total;
    private long startNanos;

    /** @param clock nanoseconds ({@link System#nanoTime}; tests pass a fake) */
    public LongJob(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * Starts a job of {@code total} units (UI thread).
     *
     * @param what e.g. "Exporting time-lapse"
     * @param unit what is counted, plural, e.g. "frames"
     * @return false when another job is running (the caller tells the user and does not start)
     */
    public boolean start(String what, int total, String unit) {
        if (running.get()) {
            return false;
        }
        this.what = what;
        this.unit = unit;
        this.total = total;
        cancelled = false;
        startNanos = clock.getAsLong();
        done.set(0);
        fraction.set(total > 0 ? 0 : -1);
        text.set(what + "…");
        running.set(true);
        return true;
    }

    /** {@code n} of the units are done (UI thread): the bar, the text and the time left follow. */
    public void progress(int n) {
        if (!running.get()) {
            return;
        }
        done.set(n);
        fraction.set(total > 0 ? Math.min(1, (double) n / total) : -1);
        text.set(describe(what, n, total, unit, clock.getAsLong() - startNanos));
    }

    /** Asks the job to stop (UI thread; the worker sees it before its next unit). */
    public void cancel() {
        if (running.get()) {
            cancelled = true;
            text.set(what + ": cancelling…");
        }
    }

    /** @return whether Cancel was pressed (any thread) */
    public boolean isCancelled() {
        return cancelled;
    }

    /** The job ended, however it ended (UI thread). */
    public void finish() {
        running.set(false);
        fraction.set(0);
        text.set("");
    }

    /**
     * @param elapsedNanos time since the job started
     * @return e.g. "Exporting time-lapse: 12 of 40 frames (30%), 0:05 left"; the time left is the time per unit so
     *         far times the units left, unknown before the first unit
     */
    public static String describe(String what, int done, int total, String unit, long elapsedNanos) {
        StringBuilder b = new StringBuilder(what).append(": ").append(done);
        if (total > 0) {
            b.append(" of ").append(total).append(' ').append(unit)
                    .append(String.format(Locale.ROOT, " (%d%%)", Math.round(100.0 * done / total)));
            if (done >= total) {
                return b.toString();
            }
            b.append(", ");
            b.append(done > 0 && elapsedNanos > 0
                    ? clock(elapsedNanos / 1e9 / done * (total - done)) + " left" : "time left unknown");
        } else {
            b.append(' ').append(unit);
        }
        return b.toString();
    }

    /** @return seconds as {@code m:ss}, or {@code h:mm:ss} from an hour on */
    public static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** @return the status bar's text for the job ("" when none runs) */
    public ReadOnlyStringProperty textProperty() {
        return text.getReadOnlyProperty();
    }

    /** @return 0..1 (-1: unknown) */
    public ReadOnlyDoubleProperty fractionProperty() {
        return fraction.getReadOnlyProperty();
    }

    /** @return the units done so far */
    public ReadOnlyIntegerProperty doneProperty() {
        return done.getReadOnlyProperty();
    }
}
