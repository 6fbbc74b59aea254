package dev.vqclip.app.run;

import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.run.RunFactory;

/**
 * Loads the models once, on the engine thread, and says so to the listener (loading progress, loaded, failed); the
 * factory it gives makes the runs. Engine thread only.
 */
final class ModelLoader {
    private final TaskExecutor ex;
    private final EngineProvider provider;
    private final EngineListener listener;
    private RunFactory factory;

    ModelLoader(TaskExecutor ex, EngineProvider provider, EngineListener listener) {
        this.ex = ex;
        this.provider = provider;
        this.listener = listener;
    }

    /** @return the loaded models' run factory, loading them first; null when they could not be loaded (said so) */
    RunFactory factory() {
        if (factory != null) {
            return factory;
        }
        ex.runOnUi(() -> listener.loading(-1, "loading models…"));
        try {
            factory = provider.load((fraction, message) -> ex.runOnUi(() -> listener.loading(fraction, message)));
            if (factory == null) {
                throw new IllegalStateException("the engine provider returned no engine");
            }
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            ex.runOnUi(() -> listener.loadFailed(msg));
            return null;
        }
        String d = factory.description();
        boolean demo = factory.isDemo();
        ex.runOnUi(() -> listener.loaded(d, demo));
        return factory;
    }

    /** Frees the models (a later {@link #factory()} loads them again). */
    void close() {
        if (factory != null) {
            factory.close();
            factory = null;
        }
    }
}
