package dev.vqclip.models;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One model of the catalogue.
 *
 * @param name        the cache folder name and the name users type ({@code vqgan_imagenet_f16_16384})
 * @param kind        vqgan, clip or vocab
 * @param aliases     other names accepted on the command line ({@code ViT-B/32}); matched case-insensitively
 * @param description one line for lists
 * @param requires    names of entries this one needs (every CLIP model needs the BPE vocabulary)
 * @param files       the files, all of which must be present for the model to be installed
 */
public record ModelEntry(String name, ModelKind kind, List<String> aliases, String description, List<String> requires,
                         List<ModelFile> files) {
    public ModelEntry {
        CatalogueIds.requireModelName(name);
        if (kind == null) {
            throw new IllegalArgumentException(name + ": missing kind");
        }
        aliases = List.copyOf(aliases == null ? List.of() : aliases);
        requires = List.copyOf(requires == null ? List.of() : requires);
        files = List.copyOf(files == null ? List.of() : files);
        description = description == null ? "" : description;
        if (files.isEmpty()) {
            throw new IllegalArgumentException(name + ": no files");
        }
    }

    /** @return true if {@code s} is this entry's name or one of its aliases (ignoring case) */
    public boolean answersTo(String s) {
        String q = s.toLowerCase(Locale.ROOT);
        return name.equals(q) || aliases.stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).equals(q));
    }

    /** @return the first file with this role */
    public Optional<ModelFile> file(FileRole role) {
        return files.stream().filter(f -> f.role() == role).findFirst();
    }

    /** @return the sum of the files' display sizes, or -1 if any is unknown */
    public long displaySize() {
        long total = 0;
        for (ModelFile f : files) {
            long s = f.displaySize();
            if (s < 0) {
                if (f.role() == FileRole.CONFIG) {
                    continue; // configs are a few hundred bytes; do not let them hide the total
                }
                return -1;
            }
            total += s;
        }
        return total;
    }
}
