package dev.vqclip.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers (or restores) the scheduling priority of the thread that runs the optimisation, for a user who wants a
 * generation to run in the background: when the cores are busy other programs get the CPU first and the engine takes
 * what is left. The studio does this only when its "Run in the background" setting is on; by default the engine runs
 * at the process's own priority (a user who starts a generation wants it to run).
 * <p>
 * Java's {@link Thread#setPriority} is ignored by HotSpot on Linux (unless the JVM is started with a special flag as
 * root), so on Linux this sets the thread's own nice value with {@code setpriority(PRIO_PROCESS, tid, n)}: Linux
 * keeps nice values per thread, and threads the engine thread creates later (PyTorch's OpenMP workers) inherit it.
 * Raising a nice value needs no privileges; lowering it again back to the process's value may need them
 * ({@code RLIMIT_NICE}), so {@link #setNamedThreads} says whether it worked. Elsewhere it falls back to
 * {@link Thread#setPriority}.
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

    /**
     * @return the process's own nice value (that of its first thread, whose id is the process id) on Linux, or empty
     *     elsewhere
     */
    public static java.util.OptionalInt processNice() {
        return niceOf(ProcessHandle.current().pid());
    }

    /**
     * Reads a thread's nice value the way {@code ps} and {@code top} do, from {@code /proc/self/task/TID/stat}.
     *
     * @param tid a thread of this process
     * @return its nice value, or empty when there is no such file (not Linux, or the thread has ended)
     */
    public static java.util.OptionalInt niceOf(long tid) {
        java.nio.file.Path stat = java.nio.file.Path.of("/proc/self/task", Long.toString(tid), "stat");
        try {
            String s = java.nio.file.Files.readString(stat);
            // "tid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')';
            // after it come fields 3 (state) to 52, nice being field 19
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            return java.util.OptionalInt.of(Integer.parseInt(f[19 - 3]));
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /**
     * Puts every thread of this process whose name is {@code name} into the background or back to the process's
     * priority. Threads inherit their creator's name on Linux, so this reaches PyTorch's OpenMP workers that an engine
     * thread of that name started, not only the engine thread itself. Threads started later by such a thread inherit
     * the new value.
     *
     * @param name the threads' name (at most 15 characters, as Linux keeps it)
     * @param background true: nice {@value #BACKGROUND_NICE} (or the process's, when that is higher); false: the
     *     process's nice value
     * @return whether every such thread now has that priority (false where the system refused, e.g. an unprivileged
     *     user may not lower a nice value again, or elsewhere than Linux)
     */
    public static boolean setNamedThreads(String name, boolean background) {
        LibC c = LibC.get();
        java.util.OptionalInt base = processNice();
        if (c == null || base.isEmpty()) {
            return false;
        }
        int target = background ? Math.max(BACKGROUND_NICE, base.getAsInt()) : base.getAsInt();
        boolean all = true;
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(
                java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                String comm;
                try {
                    comm = java.nio.file.Files.readString(t.resolve("comm")).strip();
                } catch (java.io.IOException gone) {
                    continue;
                }
                if (!comm.equals(name)) {
                    continue;
                }
                int tid = Integer.parseInt(t.getFileName().toString());
                if (c.setpriority(PRIO_PROCESS, tid, target) != 0) {
                    all = false;
                }
            }
        } catch (java.io.IOException | RuntimeException | LinkageError e) {
            LOG.debug("could not change the priority of the {} threads", name, e);
            return false;
        }
        return all;
    }
}
