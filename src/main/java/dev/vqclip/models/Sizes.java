package dev.vqclip.models;

import java.util.Locale;

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
}
