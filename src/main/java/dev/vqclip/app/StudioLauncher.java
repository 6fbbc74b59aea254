package dev.vqclip.app;

import javafx.application.Application;

import java.nio.file.Path;

/**
 * Plain main class for the studio (a class that extends {@code Application} cannot be the main class on the class
 * path: "JavaFX runtime components are missing").
 */
public final class StudioLauncher {
    private StudioLauncher() {
    }

    public static void main(String[] args) {
        dev.vqclip.engine.NativeStderr.install(); // as cli.Main does, when the studio is started directly
        launch(false, null);
    }

    /**
     * Opens the studio window and returns when it is closed.
     *
     * @param demoScript type a demo prompt and start automatically (for screenshots)
     * @param open a session to open, or null
     */
    public static void launch(boolean demoScript, Path open) {
        StudioConfig c = StudioConfig.defaults();
        if (demoScript) {
            c = c.withDemoPrompt(StudioConfig.DEMO_PROMPT);
        }
        if (open != null) {
            c = c.withOpenAtStart(open);
        }
        StudioApp.setLaunchConfig(c);
        GtkEnvironment.quietGSettings(); // before GTK loads: no dconf warnings where no session bus can save them
        Application.launch(StudioApp.class);
        try {
            if (!StudioApp.awaitLaunchedEngine(StudioApp.SIGNAL_GRACE_MILLIS)) {
                System.err.println("vqclip studio: the engine did not finish within "
                        + StudioApp.SIGNAL_GRACE_MILLIS / 1000 + " s of the window closing; exiting anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
