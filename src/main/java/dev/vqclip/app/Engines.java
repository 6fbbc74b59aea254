package dev.vqclip.app;

/**
 * The production wiring of the engine: the one place to change when the real engine lands. Replace the body of
 * {@link #production()} with the real provider, e.g.
 * {@code return progress -> VqganClipRunFactory.load(progress::update);}.
 */
public final class Engines {
    private Engines() {
    }

    /** @return the engine the studio uses when nothing else is configured */
    public static EngineProvider production() {
        return EngineProvider.unavailable();
    }
}
