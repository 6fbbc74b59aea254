package dev.vqclip.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/** Human-readable byte counts (binary units, as file managers show them). */
public final class Sizes {
    private Sizes() {
    }

    /** @return e.g. {@code 934.7 MiB}, {@code 1.3 MiB}, {@code 692 B}; {@code ?} for a negative (unknown) size */
    public static String human(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * Refuses work that would fill the disk: throws {@code refusal}'s exception, naming {@code dir}, what needs the
     * space and how much is free, when {@code dir}'s file store has less than {@code needed + margin} bytes usable.
     *
     * @param what what needs the space, e.g. "the download"
     * @throws IOException when the free space cannot be read (the caller decides whether that matters)
     */
    public static void requireFree(Path dir, long needed, long margin, String what,
                                   Function<String, ? extends RuntimeException> refusal) throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (usable < needed + margin) {
            throw refusal.apply("not enough disk space in " + dir + ": " + what + " needs " + human(needed)
                    + " but only " + human(usable) + " is free");
        }
    }
}
