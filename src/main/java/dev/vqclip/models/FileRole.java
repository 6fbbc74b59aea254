package dev.vqclip.models;

import java.util.Locale;

/** The part a file plays in its model: a taming checkpoint, its yaml config, CLIP weights or the BPE vocabulary. */
public enum FileRole {
    CKPT, CONFIG, WEIGHTS, VOCAB;

    /** @return the lower-case name used in the catalogue JSON */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the catalogue spelling ({@code ckpt}, {@code config}, {@code weights}, {@code vocab}). */
    public static FileRole parse(String s) {
        for (FileRole r : values()) {
            if (r.id().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown file role '" + s + "' (expected ckpt, config, weights or vocab)");
    }
}
