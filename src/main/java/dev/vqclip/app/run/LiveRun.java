package dev.vqclip.app.run;

import dev.vqclip.engine.guide.SelfMask;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.RunSnapshot;

import java.util.function.Consumer;

/**
 * What reaches the live run between its steps, whatever its state: the mask, "keep unmasked pixels", the user's
 * paint, the learning rate, how often history is kept, select by text, and work on its state (saving). The one
 * way from the studio's features to the {@link EngineWorker}; {@link RunViewModel} makes it and keeps the worker.
 */
public final class LiveRun {
    private final EngineWorker worker;

    LiveRun(EngineWorker worker) {
        this.worker = worker;
    }

    public void learningRateEdited(double lr) {
        if (lr > 0) {
            worker.setLearningRate(lr);
        }
    }

    public void setHistoryEvery(int n) {
        worker.setHistoryEvery(n);
    }

    public void setFrameIntervalMillis(long ms) {
        worker.setFrameIntervalMillis(ms);
    }

    /**
     * Sets the latent mask (null: none) from the next step on; a mask that does not fit the run's grid is ignored.
     */
    public void setMask(LatentMask mask) {
        worker.setMask(mask);
    }

    /** Switches "keep unmasked pixels" from the next step on. */
    public void setKeepUnmaskedPixels(boolean keep) {
        worker.setKeepUnmaskedPixels(keep);
    }

    /**
     * Writes the user's paint into the paused run before anything queued after it.
     *
     * @param edited a copy owned by the engine from now on
     * @param onApplied gets the number of rewritten latent cells, on the UI thread
     */
    public void applyPaint(Frame edited, boolean[] painted, Consumer<Integer> onApplied) {
        worker.applyPaint(edited, painted, onApplied);
    }

    /** Scores {@code phrase} over the run's image between steps; the heat map or the error arrives on the UI thread. */
    public void selectByText(String phrase, Consumer<SelfMask.HeatMap> onSuccess, Consumer<Exception> onFailure) {
        worker.selfMask(phrase, onSuccess, onFailure);
    }

    /** Work on the run's state on the engine thread (e.g. writing it to a file). */
    @FunctionalInterface
    public interface StateWork<T> {
        /** @param current the current run's state, the parked one, or null when there is none */
        T apply(RunSnapshot current) throws Exception;
    }

    /**
     * Runs {@code work} with the run's state on the engine thread between steps; the result or the error arrives on
     * the UI thread. Saving a session goes this way: the state is the one of the step the save was asked after.
     */
    public <T> void withState(StateWork<T> work, Consumer<T> onSuccess, Consumer<Exception> onFailure) {
        worker.background(() -> work.apply(worker.currentState()), onSuccess, onFailure);
    }
}
