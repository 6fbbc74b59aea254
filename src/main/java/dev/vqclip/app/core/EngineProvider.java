package dev.vqclip.app.core;

import dev.vqclip.engine.run.RunFactory;

/**
 * Loads the models and hands the studio a {@link RunFactory}. Slow: it is called on the engine thread while the
 * studio shows progress. The studio closes the factory it gets when the session ends.
 */
@FunctionalInterface
public interface EngineProvider {
    /**
     * @param progress where to report loading progress
     * @throws Exception with a message for the status bar when the models cannot be loaded
     */
    RunFactory load(ProgressListener progress) throws Exception;

    /** @return a provider that always fails with "engine not available yet" (no engine wired into this build) */
    static EngineProvider unavailable() {
        return progress -> {
            throw new EngineUnavailableException("engine not available yet: this build has no VQGAN-CLIP engine wired"
                    + " in (see dev.vqclip.app.Engines)");
        };
    }

    /** Thrown when no engine is wired in. */
    final class EngineUnavailableException extends Exception {
        public EngineUnavailableException(String message) {
            super(message);
        }
    }
}
