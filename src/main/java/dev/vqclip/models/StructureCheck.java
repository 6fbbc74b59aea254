package dev.vqclip.models;

import java.nio.file.Path;
import java.util.Map;

/**
 * Checks that the files of a model are what they claim to be when no checksum can tell: the files parse, and a VQGAN
 * checkpoint fits its yaml. Used after downloads and imports of files without a published SHA-256 and by
 * {@code vqclip models verify}.
 */
@FunctionalInterface
public interface StructureCheck {
    /**
     * @param entry the model
     * @param files the model's files, by catalogue file, at their current paths
     * @throws ModelException naming the file and the problem when a file is not what it should be
     */
    void check(ModelEntry entry, Map<ModelFile, Path> files);
}
