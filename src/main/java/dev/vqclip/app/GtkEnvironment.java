package dev.vqclip.app;

import dev.vqclip.engine.EngineThreads;
import dev.vqclip.engine.LibC;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The environment JavaFX's GTK toolkit finds, set before the toolkit starts.
 * <p>
 * GTK keeps a few settings of its own (the file chooser's size, sort column, last folder) in GSettings, whose usual
 * backend, dconf, writes through the D-Bus session bus. Where there is none (under Xvfb, over ssh, in a container)
 * GLib tries to start one with {@code dbus-launch}, and where that is missing every file dialog prints "dconf-WARNING
 * **: failed to commit changes to dconf: Failed to execute child process “dbus-launch” (No such file or directory)",
 * several times. Those settings cannot be saved there anyway, so in exactly that case the studio chooses GLib's
 * in-memory backend ({@code GSETTINGS_BACKEND=memory}); on a desktop with a session bus, or where the user set
 * {@code GSETTINGS_BACKEND}, nothing changes.
 */
final class GtkEnvironment {
    static final String BACKEND = "GSETTINGS_BACKEND";

    private GtkEnvironment() {
    }

    /**
     * Chooses the in-memory GSettings backend when dconf could not save anyway. Call before the toolkit starts.
     *
     * @return what was decided, in words (for a debug line)
     */
    static String quietGSettings() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (!os.contains("linux")) {
            return "not Linux: nothing to do";
        }
        Map<String, String> env = new java.util.HashMap<>();
        for (String k : new String[] {BACKEND, "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "PATH"}) {
            String v = EngineThreads.processEnv(k);
            if (v != null) {
                env.put(k, v);
            }
        }
        if (!needsMemoryBackend(env, Files::exists)) {
            return "GSettings left as it is";
        }
        LibC c = LibC.get();
        if (c == null || c.setenv(BACKEND, "memory", 0) != 0) {
            return "could not set " + BACKEND;
        }
        return BACKEND + "=memory (no D-Bus session bus to save GTK's settings)";
    }

    /**
     * @param env the process environment (the variables GLib looks at)
     * @param exists whether a file exists
     * @return whether no D-Bus session bus can be reached or started, and the user did not choose a backend
     */
    static boolean needsMemoryBackend(Map<String, String> env, Predicate<Path> exists) {
        if (env.get(BACKEND) != null) {
            return false;
        }
        String bus = env.get("DBUS_SESSION_BUS_ADDRESS");
        if (bus != null && !bus.isBlank()) {
            return false;
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && exists.test(Path.of(runtime, "bus"))) {
            return false; // GLib uses the user bus of systemd there
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && exists.test(Path.of(dir, "dbus-launch"))) {
                return false; // GLib starts a bus with it
            }
        }
        return true;
    }
}
