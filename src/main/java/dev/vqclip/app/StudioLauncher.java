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
        dev.vqclip.runtime.NativeRuntime.select(); // an installed CUDA runtime, before DJL's engine loads
        // as cli.Main does before libtorch loads: waiting threads sleep, huge pages, threads left to the interface
        dev.vqclip.engine.EngineThreads.configure(null, true);
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
        awaitEngineAfterWindowClosed();
    }

    /** After this long without the engine finishing, the terminal is told what the studio is waiting for. */
    static final long WAIT_NOTICE_MILLIS = 2_000;

    /**
     * The window has closed; the engine thread finishes the step in progress (never interrupted: ending the process
     * while it is inside libtorch can crash the JVM), frees the models and ends. Waits for that without a limit,
     * saying so when it takes longer than {@value #WAIT_NOTICE_MILLIS} ms; Ctrl+C in the terminal still ends the
     * process at once.
     */
    private static void awaitEngineAfterWindowClosed() {
        long t0 = System.nanoTime();
        try {
            if (StudioApp.awaitLaunchedEngine(WAIT_NOTICE_MILLIS)) {
                return;
            }
            System.err.println("vqclip studio: the window is closed; waiting for the engine to finish the step in "
                    + "progress (a step inside the native library cannot be interrupted safely)...");
            while (!StudioApp.awaitLaunchedEngine(30_000)) {
                System.err.printf(java.util.Locale.ROOT, "vqclip studio: still waiting for the step in progress "
                        + "(%d s)%n", (System.nanoTime() - t0) / 1_000_000_000L);
            }
            System.err.printf(java.util.Locale.ROOT, "vqclip studio: the engine stopped after %.1f s%n",
                    (System.nanoTime() - t0) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
