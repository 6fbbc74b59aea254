package dev.vqclip.cli;

import dev.vqclip.app.StudioLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code vqclip studio}: opens the desktop studio (also what {@code vqclip} with no command does). The launch hook
 * between the headless command line and the JavaFX app; it names no JavaFX type itself.
 */
@Command(name = "studio", mixinStandardHelpOptions = true,
        description = "Open the VQGAN-CLIP Studio window (the default when no command is given).")
public final class StudioCommand implements Callable<Integer> {
    @Option(names = "--demo-script", description = "Type a demo prompt and start generating automatically "
            + "(for screenshots and demos).")
    boolean demoScript;

    @Option(names = "--open", paramLabel = "FILE", description = "A .vqsession file to open.")
    Path open;

    @Override
    public Integer call() {
        return launch(demoScript, open);
    }

    /** Opens the studio, or explains why it cannot (no display); returns the exit code. */
    static int launch(boolean demoScript, Path open) {
        if (!displayAvailable()) {
            System.err.println("error: no display found, so the studio cannot open. Use a command instead "
                    + "(see vqclip --help), or run under a desktop / xvfb-run.");
            return 2;
        }
        StudioLauncher.launch(demoScript || Boolean.getBoolean("vqclip.demoScript"), open);
        return 0;
    }

    static boolean displayAvailable() {
        if (Boolean.getBoolean("java.awt.headless")) {
            return false;
        }
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.contains("win") || os.contains("mac")) {
            return true;
        }
        return System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
    }
}
