package dev.vqclip.app;

import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.app.settings.EnginePriority;
import javafx.application.Platform;
import javafx.concurrent.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Production executor: UI work goes through {@link Platform#runLater}; engine work runs as {@link Task}s on one
 * daemon thread per session ("vqclip-engine"), so all DJL calls of a session happen on the same thread. That thread
 * runs at the process's priority unless the user's "Run in the background" setting is on ({@link EnginePriority}):
 * the UI stays responsive because the FX thread never waits on the engine, not because the engine is starved.
 */
public final class FxTaskExecutor implements TaskExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(FxTaskExecutor.class);
    private final ExecutorService engine = Executors.newSingleThreadExecutor(EnginePriority.engineThreads());

    @Override
    public void runOnUi(Runnable r) {
        Platform.runLater(r);
    }

    @Override
    public void runOnEngine(Runnable r) {
        Task<Void> task = new Task<>() {
            @Override
            protected Void call() {
                r.run();
                return null;
            }
        };
        task.setOnFailed(e -> LOG.error("engine job failed", task.getException()));
        if (!engine.isShutdown()) {
            engine.execute(task);
        }
    }

    @Override
    public void shutdown() {
        engine.shutdown();
    }

    /** Waits for the engine thread to finish its queue (for orderly exit). */
    public boolean awaitTermination(long millis) throws InterruptedException {
        return engine.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }
}
