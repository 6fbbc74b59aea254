package dev.vqclip.session;

import java.io.IOException;

/**
 * How much memory one load of a session or run file may take for its arrays and images, checked from declared sizes
 * before each allocation: half the Java heap (at least 64 MiB), so a file whose many small entries each claim a large
 * array or image is refused with a message instead of running the program out of memory.
 */
final class LoadBudget {
    private static final long MIB = 1 << 20;
    private final String file;
    private final long limit;
    private long used;

    LoadBudget(String file, long limit) {
        this.file = file;
        this.limit = limit;
    }

    /** @return a budget of half the Java heap, at least 64 MiB */
    static LoadBudget forHeap(String file) {
        return new LoadBudget(file, Math.max(64 * MIB, Runtime.getRuntime().maxMemory() / 2));
    }

    /**
     * Takes {@code bytes} that stay allocated, after checking that {@code bytes + transientBytes} fit in what is left.
     *
     * @param what names the entry and what it holds, e.g. "history/h1/frame.png (a 256x256 image)"
     * @throws LimitException naming the file, {@code what}, the size and the limit
     */
    void reserve(long bytes, long transientBytes, String what) throws LimitException {
        long need = bytes + Math.max(0, transientBytes);
        if (bytes < 0 || need < 0 || need > limit - used) {
            throw new LimitException(file + ": " + what + " needs " + mib(need) + " MiB, more than the " + mib(limit - used)
                    + " MiB left of the " + mib(limit) + " MiB one load may use (half the Java heap; -Xmx raises it)");
        }
        used += bytes;
    }

    /** @return bytes taken so far */
    long used() {
        return used;
    }

    private static String mib(long bytes) {
        return bytes < MIB ? String.format(java.util.Locale.ROOT, "%.2f", bytes / (double) MIB) : Long.toString(bytes / MIB);
    }

    /**
     * A file declares more than a reader accepts (an image larger than its session's size, too many entries, more
     * memory than the budget): the file is refused as a whole, with the file, the entry and the limit named.
     */
    static final class LimitException extends IOException {
        LimitException(String message) {
            super(message);
        }
    }
}
