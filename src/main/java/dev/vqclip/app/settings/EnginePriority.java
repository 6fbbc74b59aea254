package dev.vqclip.app.settings;

import dev.vqclip.engine.ThreadPriority;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadFactory;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * The studio's "Run in the background (lower priority)" setting. Off by default: the engine thread, and the PyTorch
 * threads it starts, run at the process's own priority, because a user who starts a generation wants it to run (the
 * window stays responsive because the FX thread never waits on the engine, not because the engine is starved). On,
 * they run at nice {@value ThreadPriority#BACKGROUND_NICE} on Linux, so other programs come first.
 * <p>
 * Saved with the studio's other preferences (the node {@code -Dvqclip.preferences}, default {@code dev/vqclip}),
 * applied when the engine thread starts ({@link #engineThreads}) and when the setting is toggled.
 */
public final class EnginePriority {
    /** The name of the studio's engine thread; PyTorch's workers it starts inherit it. */
    public static final String ENGINE_THREAD = "vqclip-engine";
    /** The preference key. */
    static final String PREFERENCE = "runInBackground";
    private static final Logger LOG = LoggerFactory.getLogger(EnginePriority.class);

    private final BooleanProperty background = new SimpleBooleanProperty(saved());
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final String threadName;

    /** The setting as saved, applied to the studio's engine threads when toggled. */
    public EnginePriority() {
        this(ENGINE_THREAD);
    }

    /** @param threadName the threads a toggle applies to (tests use their own) */
    EnginePriority(String threadName) {
        this.threadName = threadName;
        background.addListener((o, was, on) -> {
            save(on);
            if (ThreadPriority.setNamedThreads(threadName, on)) {
                notice.set("");
            } else if (on) {
                notice.set("Saved: the engine runs in the background from the next start (its priority cannot be "
                        + "changed while it runs here).");
            } else {
                notice.set("The engine keeps its lower priority until the studio restarts: this system does not "
                        + "let a program raise its own priority again.");
            }
        });
    }

    /** @return whether the engine runs in the background (saved at each change) */
    public BooleanProperty backgroundProperty() {
        return background;
    }

    /** @return why the last toggle could not take effect at once, or empty */
    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    /** @return the saved setting (false when none is saved or the preferences cannot be read) */
    public static boolean saved() {
        try {
            return preferences().getBoolean(PREFERENCE, false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Saves the setting for this and later starts. */
    static void save(boolean on) {
        Preferences p = preferences();
        if (on) {
            p.putBoolean(PREFERENCE, true);
        } else {
            p.remove(PREFERENCE);
        }
        try {
            p.flush();
        } catch (BackingStoreException e) {
            LOG.warn("could not save the engine priority setting: {}", e.getMessage());
        }
    }

    private static Preferences preferences() {
        return Preferences.userRoot().node(System.getProperty("vqclip.preferences", "dev/vqclip"));
    }

    /**
     * @return a factory of daemon engine threads named {@link #ENGINE_THREAD} that start at the process's priority,
     *     or in the background when the saved setting says so
     */
    public static ThreadFactory engineThreads() {
        return engineThreads(ENGINE_THREAD);
    }

    /** {@link #engineThreads()} with another thread name (tests). */
    static ThreadFactory engineThreads(String name) {
        return r -> {
            Thread t = new Thread(() -> {
                if (saved()) {
                    ThreadPriority.lowerCurrentThread();
                }
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        };
    }
}
