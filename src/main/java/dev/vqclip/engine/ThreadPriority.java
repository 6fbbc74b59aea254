package dev.vqclip.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the scheduling priority of the calling thread, for the thread that runs the optimisation in an interactive
 * program: when the cores are busy the user interface thread gets the CPU first and the engine takes what is left.
 * <p>
 * Java's {@link Thread#setPriority} is ignored by HotSpot on Linux (unless the JVM is started with a special flag as
 * root), so on Linux this sets the thread's own nice value with {@code setpriority(PRIO_PROCESS, tid, n)}: Linux
 * keeps nice values per thread, and threads the engine thread creates later (PyTorch's OpenMP workers) inherit it.
 * Raising a nice value needs no privileges. Elsewhere it falls back to {@link Thread#setPriority}.
 */
public final class ThreadPriority {
    /** The nice value background engine threads get on Linux (0 is normal, 19 the lowest priority). */
    public static final int BACKGROUND_NICE = 10;
    private static final Logger LOG = LoggerFactory.getLogger(ThreadPriority.class);
    private static final int PRIO_PROCESS = 0;

    private ThreadPriority() {
    }

    /**
     * Makes the calling thread (and threads it starts afterwards) a background thread.
     *
     * @return whether the operating system's priority was lowered (false: only Java's priority hint was set)
     */
    public static boolean lowerCurrentThread() {
        Thread.currentThread().setPriority(Thread.MIN_PRIORITY);
        LibC c = LibC.get();
        if (c == null) {
            return false;
        }
        try {
            int tid = c.gettid();
            // never raise it: a program started with nice 15 keeps 15
            int nice = Math.max(BACKGROUND_NICE, c.getpriority(PRIO_PROCESS, tid));
            if (c.setpriority(PRIO_PROCESS, tid, nice) == 0) {
                return true;
            }
            LOG.debug("setpriority failed for thread {}", tid);
        } catch (Exception | LinkageError e) {
            LOG.debug("could not lower the engine thread's priority", e);
        }
        return false;
    }

    /** @return the calling thread's nice value on Linux, or empty elsewhere */
    public static java.util.OptionalInt currentNice() {
        LibC c = LibC.get();
        if (c == null) {
            return java.util.OptionalInt.empty();
        }
        try {
            return java.util.OptionalInt.of(c.getpriority(PRIO_PROCESS, c.gettid()));
        } catch (Exception | LinkageError e) {
            return java.util.OptionalInt.empty();
        }
    }
}
