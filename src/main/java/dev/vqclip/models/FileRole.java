package dev.vqclip.models;

/** The part a file plays in its model: a taming checkpoint, its yaml config, CLIP weights or the BPE vocabulary. */
public enum FileRole {
    CKPT, CONFIG, WEIGHTS, VOCAB;

    /** @return the lower-case name used in the catalogue JSON */
    public String id() {
        return CatalogueIds.id(this);
    }

    /** Parses the catalogue spelling ({@code ckpt}, {@code config}, {@code weights}, {@code vocab}). */
    public static FileRole parse(String s) {
        return CatalogueIds.parse(values(), s, "file role");
    }
}
