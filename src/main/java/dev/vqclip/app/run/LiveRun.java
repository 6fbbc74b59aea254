package dev.vqclip.app.run;

import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.SelfMask;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.SteppableRun;

import java.util.List;
import java.util.function.Consumer;

/**
 * What reaches the live run between its steps, whatever its state: the mask, "keep unmasked pixels", the user's
 * paint, the learning rate, how often history is kept, select by text, and work on its state (saving). The one
 * way from the studio's features to the {@link EngineWorker}; {@link RunViewModel} makes it and keeps the worker.
 */
public final class LiveRun {
    private final EngineWorker worker;
    private final TaskExecutor ex;

    LiveRun(EngineWorker worker, TaskExecutor ex) {
        this.worker = worker;
        this.ex = ex;
    }

    /** Changes the learning rate from the next step on (a rate that is not positive is ignored). */
    public void learningRateEdited(double lr) {
        if (lr > 0) {
            worker.edit(run -> run.setLearningRate(lr));
        }
    }

    /** Replaces the prompts from the next step on (no prompts: the run keeps its last ones). */
    void setPrompts(List<Prompt> prompts) {
        List<Prompt> copy = List.copyOf(prompts);
        if (!copy.isEmpty()) {
            worker.edit(run -> run.setPrompts(copy));
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
        worker.edit(run -> {
            LatentGrid g = run.latentGrid();
            if (mask == null || (mask.rows() == g.rows() && mask.cols() == g.cols())) {
                run.setMask(mask);
            }
        });
    }

    /** Switches "keep unmasked pixels" (frames composite the original back outside the mask) from the next step. */
    public void setKeepUnmaskedPixels(boolean keep) {
        worker.edit(run -> {
            if (run.request().keepUnmaskedPixels() != keep) {
                RunSnapshot s = run.snapshot();
                run.restore(s.withRequest(s.request().withKeepUnmaskedPixels(keep)));
            }
        });
    }

    /**
     * Writes the user's paint into the paused run before anything queued after it.
     *
     * @param edited a copy owned by the engine from now on
     * @param onApplied gets the number of rewritten latent cells, on the UI thread
     */
    public void applyPaint(Frame edited, boolean[] painted, Consumer<Integer> onApplied) {
        worker.onEngine(() -> {
            SteppableRun run = worker.currentRun();
            if (run == null) {
                return;
            }
            int n = run.applyPaint(edited, painted);
            RunSnapshot s = run.snapshot();
            if (n > 0 && s.original() != null) {
                // "keep unmasked pixels" keeps the image as the user left it, paint included
                run.restore(s.withOriginal(s.z()));
            }
            worker.showFrame(run.frame());
            ex.runOnUi(() -> onApplied.accept(n));
        });
    }

    /** Scores {@code phrase} over the run's image between steps; the heat map or the error arrives on the UI thread. */
    public void selectByText(String phrase, Consumer<SelfMask.HeatMap> onSuccess, Consumer<Exception> onFailure) {
        ex.onEngine(() -> {
            SteppableRun run = worker.currentRun();
            if (run == null) {
                throw new IllegalStateException("there is no run to select in yet");
            }
            return run.selfMask(phrase);
        }, onSuccess, onFailure);
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
        ex.onEngine(() -> work.apply(worker.currentState()), onSuccess, onFailure);
    }
}
