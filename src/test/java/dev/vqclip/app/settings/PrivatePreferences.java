package dev.vqclip.app.settings;

import com.sun.jna.Platform;

import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A preferences node of the test's own (Linux only: thread nice values are read from /proc), removed afterwards. */
public final class PrivatePreferences {
    private PrivatePreferences() {
    }

    /** Skips the test off Linux; else points the studio's preferences at a node named after {@code test}. */
    public static void use(String test) {
        assumeTrue(Platform.isLinux(), "thread nice values are read from /proc on Linux");
        System.setProperty("vqclip.preferences", "dev/vqclip/" + test + "-" + ProcessHandle.current().pid());
    }

    /** Removes the node {@link #use} chose, if any. */
    public static void forget() throws BackingStoreException {
        if (System.getProperty("vqclip.preferences") != null) {
            Preferences.userRoot().node(System.getProperty("vqclip.preferences")).removeNode();
            System.clearProperty("vqclip.preferences");
        }
    }
}
