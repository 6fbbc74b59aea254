package dev.vqclip.models;

/** What a catalogue entry is: an image model (VQGAN), a text-image model (CLIP) or CLIP's BPE vocabulary. */
public enum ModelKind {
    VQGAN, CLIP, VOCAB;

    /** @return the lower-case name used in the catalogue JSON */
    public String id() {
        return CatalogueIds.id(this);
    }

    /** Parses the catalogue spelling ({@code vqgan}, {@code clip}, {@code vocab}). */
    public static ModelKind parse(String s) {
        return CatalogueIds.parse(values(), s, "model kind");
    }
}
