package dev.vqclip.app.core;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Where view-models run work: the UI thread for state changes, the session's single engine thread for everything
 * that touches the engine or the disk. Production uses {@link FxTaskExecutor}; view-model tests use a synchronous UI
 * executor and an engine queue they drain step by step.
 */
public interface TaskExecutor {
    /** Runs {@code r} on the UI thread, after everything already queued there. */
    void runOnUi(Runnable r);

    /** Runs {@code r} on the engine thread, after everything already queued there (FIFO). */
    void runOnEngine(Runnable r);

    /**
     * Runs {@code work} on the engine thread (between steps, after everything already queued there), then
     * {@code onSuccess} with its result or {@code onFailure} with its exception on the UI thread: file work (open,
     * save, export) goes this way, so it never races the run and the UI never waits for it.
     */
    default <T> void onEngine(Callable<T> work, Consumer<T> onSuccess, Consumer<Exception> onFailure) {
        runOnEngine(() -> {
            T v;
            try {
                v = work.call();
            } catch (Exception e) {
                runOnUi(() -> onFailure.accept(e));
                return;
            }
            runOnUi(() -> onSuccess.accept(v));
        });
    }

    /** Stops the engine thread after the queued work (idempotent). */
    default void shutdown() {
    }
}
