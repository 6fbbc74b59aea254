package dev.vqclip.app;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.EngineProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * How a studio window is wired: which engine, which dialogs, optional demo script. Tests pass a fake engine and
 * scripted dialogs; production uses {@link #defaults()}.
 *
 * @param engine loads the models
 * @param dialogs creates the dialog service for the main window (null: real file choosers)
 * @param demoPrompt when not null, types this prompt and presses Start once the engine is ready (screenshots)
 * @param autosaveEvery how often a recovery copy is written while there are unsaved changes (null: never)
 * @param frameIntervalMillis the newest frame is decoded at most this often while running
 * @param openAtStart a session to open at start, or null
 */
public record StudioConfig(EngineProvider engine, Function<javafx.stage.Window, DialogService> dialogs,
                           String demoPrompt, Duration autosaveEvery, long frameIntervalMillis, Path openAtStart) {
    /** The demo script's prompt. */
    public static final String DEMO_PROMPT = "a red circle on a blue background";

    /**
     * @return production wiring; {@code -Dvqclip.demoScript=true} enables the demo script, and
     *     {@code -Dvqclip.autosaveSeconds=N} autosaves every N seconds instead of every 3 minutes (test scripts)
     */
    public static StudioConfig defaults() {
        return new StudioConfig(Engines.production(), null,
                Boolean.getBoolean("vqclip.demoScript") ? DEMO_PROMPT : null,
                Duration.ofSeconds(Math.max(1, Long.getLong("vqclip.autosaveSeconds", 180))), 100, null);
    }

    public StudioConfig withDemoPrompt(String prompt) {
        return new StudioConfig(engine, dialogs, prompt, autosaveEvery, frameIntervalMillis, openAtStart);
    }

    public StudioConfig withOpenAtStart(Path file) {
        return new StudioConfig(engine, dialogs, demoPrompt, autosaveEvery, frameIntervalMillis, file);
    }
}
