package dev.vqclip.models;

import java.util.Locale;

/** What a catalogue entry is: an image model (VQGAN), a text-image model (CLIP) or CLIP's BPE vocabulary. */
public enum ModelKind {
    VQGAN, CLIP, VOCAB;

    /** @return the lower-case name used in the catalogue JSON */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the catalogue spelling ({@code vqgan}, {@code clip}, {@code vocab}). */
    public static ModelKind parse(String s) {
        for (ModelKind k : values()) {
            if (k.id().equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown model kind '" + s + "' (expected vqgan, clip or vocab)");
    }
}
