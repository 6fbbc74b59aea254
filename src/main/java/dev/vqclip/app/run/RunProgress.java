package dev.vqclip.app.run;

import dev.vqclip.app.core.LongJob;
import dev.vqclip.engine.run.StepEvent;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * How far the run is: its step of how many, the progress bar (also the models' loading), steps per second (smoothed)
 * and the time left. {@link RunViewModel} feeds it the engine's steps; UI thread only.
 */
public final class RunProgress {
    private final LongSupplier clock;
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyIntegerWrapper step = new ReadOnlyIntegerWrapper();
    private final ReadOnlyIntegerWrapper totalSteps = new ReadOnlyIntegerWrapper();
    private final ReadOnlyDoubleWrapper itPerSec = new ReadOnlyDoubleWrapper();
    private final ReadOnlyStringWrapper eta = new ReadOnlyStringWrapper("");
    private long lastNanos = -1;
    private int lastStep;

    /** @param clock nanoseconds, for it/s (tests pass a fake) */
    RunProgress(LongSupplier clock) {
        this.clock = clock;
    }

    /** A new run of {@code steps} steps begins at step 0. */
    void reset(int steps) {
        step.set(0);
        totalSteps.set(steps);
        progress.set(0);
        itPerSec.set(0);
        eta.set("");
        lastNanos = -1;
        lastStep = 0;
    }

    /** The run stands at {@code at} of {@code steps} (made, restored or parked); with {@code bar} the bar follows. */
    void at(int at, int steps, boolean bar) {
        step.set(at);
        totalSteps.set(steps);
        lastStep = at;
        if (bar) {
            progress.set(steps == 0 ? 0 : Math.min(1, (double) at / steps));
        }
    }

    /** The run halted at {@code at}: no time is left to show. */
    void halted(int at) {
        step.set(at);
        eta.set("");
    }

    /** The run went on after a pause: the rate starts again from the next step. */
    void resumed() {
        lastNanos = -1;
    }

    /** Shows loading progress (0..1, -1 unknown) or, with 0, an empty bar. */
    void bar(double fraction) {
        progress.set(fraction);
    }

    /** Steps made: step, progress, the smoothed rate and the time left follow the newest. */
    void stepped(List<StepEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        StepEvent last = events.get(events.size() - 1);
        long now = clock.getAsLong();
        if (lastNanos >= 0 && now > lastNanos && last.step() > lastStep) {
            double rate = (last.step() - lastStep) / ((now - lastNanos) / 1e9);
            itPerSec.set(itPerSec.get() == 0 ? rate : 0.7 * itPerSec.get() + 0.3 * rate);
        } else if (itPerSec.get() == 0 && last.seconds() > 0) {
            itPerSec.set(1.0 / last.seconds());
        }
        lastNanos = now;
        lastStep = last.step();
        step.set(last.step());
        totalSteps.set(last.totalSteps());
        progress.set(last.totalSteps() == 0 ? 0 : Math.min(1.0, (double) last.step() / last.totalSteps()));
        eta.set(formatEta(last.totalSteps() - last.step(), itPerSec.get()));
    }

    static String formatEta(int remaining, double rate) {
        if (remaining <= 0 || rate <= 0) {
            return "";
        }
        return LongJob.clock(remaining / rate);
    }

    /** @return 0..1, or -1 while loading with unknown progress */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty stepProperty() {
        return step.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty totalStepsProperty() {
        return totalSteps.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty itPerSecProperty() {
        return itPerSec.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty etaProperty() {
        return eta.getReadOnlyProperty();
    }
}
