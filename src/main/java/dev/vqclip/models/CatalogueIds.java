package dev.vqclip.models;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The catalogue's names: the JSON spelling of enum constants ({@link ModelKind}, {@link FileRole}), their lower-case
 * names, and the rules for model and file names, which become paths in the cache.
 */
final class CatalogueIds {
    private static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private CatalogueIds() {
    }

    /** @throws IllegalArgumentException unless {@code name} is a safe model name (it names a cache folder) */
    static void requireModelName(String name) {
        requireSafe(name, MODEL_NAME, "model name", "lower-case letters, digits, . _ -");
    }

    /** @throws IllegalArgumentException unless {@code name} is a safe file name (it names a file in the cache) */
    static void requireFileName(String name) {
        requireSafe(name, FILE_NAME, "file name", "letters, digits, . _ + - only");
    }

    private static void requireSafe(String name, Pattern safe, String what, String allowed) {
        if (name == null || !safe.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("unsafe " + what + " '" + name + "' (" + allowed + ")");
        }
    }

    /** @return the lower-case name of {@code constant} */
    static String id(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return the constant of {@code values} spelt {@code s}
     * @throws IllegalArgumentException naming {@code what} and the spellings expected
     */
    static <E extends Enum<E>> E parse(E[] values, String s, String what) {
        for (E e : values) {
            if (id(e).equals(s)) {
                return e;
            }
        }
        List<String> ids = Arrays.stream(values).map(CatalogueIds::id).toList();
        String expected = String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
        throw new IllegalArgumentException("unknown " + what + " '" + s + "' (expected " + expected + ")");
    }
}
