package dev.vqclip.app.core;

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

    /** Stops the engine thread after the queued work (idempotent). */
    default void shutdown() {
    }
}
