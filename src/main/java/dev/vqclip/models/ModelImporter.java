package dev.vqclip.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Installs files the user fetched by hand ({@code vqclip models import FILE... --as NAME}). Each file is matched to
 * a catalogue file (same name, else same extension), copied to a {@code .part} in the cache, verified (size and
 * SHA-256 when known) and renamed into place. Once all files of the model are present and pass the structure
 * check, the model is marked installed.
 */
public final class ModelImporter {
    /**
     * What an import achieved.
     *
     * @param entry     the model
     * @param installed whether the model is now installed
     * @param imported  the catalogue file names copied in
     * @param missing   the catalogue files still missing
     */
    public record Outcome(ModelEntry entry, boolean installed, List<String> imported, List<ModelFile> missing) {
    }

    private final ModelCache cache;
    private final StructureCheck structure;

    /** @param structure the check for files without a known SHA-256 (normally {@link StructureChecks#standard()}) */
    public ModelImporter(ModelCache cache, StructureCheck structure) {
        this.cache = cache;
        this.structure = structure;
    }

    /**
     * @throws ModelException when a file does not match any of the model's files, fails verification (it is not
     *                        copied), or the cache is read-only
     */
    public Outcome importFiles(ModelEntry entry, List<Path> sources) {
        Map<ModelFile, Path> matched = new LinkedHashMap<>();
        for (Path src : sources) {
            if (!Files.isRegularFile(src)) {
                throw new ModelException("cannot import " + src + ": no such file");
            }
            ModelFile f = match(entry, src);
            if (matched.put(f, src) != null) {
                throw new ModelException("two of the given files would both be " + f.fileName() + " of "
                        + entry.name());
            }
        }
        // verify before touching the cache: a wrong file is refused with nothing copied
        for (Map.Entry<ModelFile, Path> m : matched.entrySet()) {
            ModelVerifier.FileResult r = ModelVerifier.verifyFile(m.getKey(), m.getValue());
            if (!r.ok()) {
                throw new ModelException("refusing to import " + m.getValue() + " as " + entry.name() + "/"
                        + m.getKey().fileName() + ": " + r.message());
            }
        }
        Path dir = cache.prepareDir(entry, "import " + entry.name());
        try {
            cache.unmark(entry);
            for (Map.Entry<ModelFile, Path> m : matched.entrySet()) {
                Path part = cache.partOf(entry, m.getKey());
                Files.copy(m.getValue(), part, StandardCopyOption.REPLACE_EXISTING);
                ModelVerifier.FileResult r = ModelVerifier.verifyFile(m.getKey(), part);
                if (!r.ok()) {
                    Files.deleteIfExists(part);
                    throw new ModelException("the copy of " + m.getValue() + " in " + dir + " does not verify: "
                            + r.message());
                }
                ModelCache.moveAtomically(part, cache.fileOf(entry, m.getKey()));
            }
        } catch (IOException e) {
            throw new ModelException("cannot import into " + dir + ": " + e.getMessage(), e);
        }
        List<ModelFile> missing = entry.files().stream().filter(f -> !cache.isPresent(entry, f))
                .collect(Collectors.toList());
        List<String> names = matched.keySet().stream().map(ModelFile::fileName).collect(Collectors.toList());
        if (!missing.isEmpty()) {
            return new Outcome(entry, false, names, missing);
        }
        ModelVerifier.Result all = new ModelVerifier(cache, structure).verify(entry);
        if (!all.ok()) {
            String why = all.structureError() != null ? all.structureError()
                    : all.files().stream().filter(r -> !r.ok()).map(ModelVerifier.FileResult::message)
                    .collect(Collectors.joining("; "));
            throw new ModelException("the files of " + entry.name() + " are in " + dir
                    + " but do not verify, so the model is not marked installed: " + why);
        }
        Map<String, String> shas = new LinkedHashMap<>();
        for (ModelFile f : entry.files()) {
            f.knownSha256().ifPresent(s -> shas.put(f.fileName(), s));
        }
        cache.markInstalled(entry, shas);
        return new Outcome(entry, true, names, List.of());
    }

    /** @return the catalogue file {@code src} is: same file name, else the only file with the same extension */
    static ModelFile match(ModelEntry entry, Path src) {
        String name = src.getFileName().toString();
        Optional<ModelFile> same = entry.files().stream().filter(f -> f.fileName().equals(name)).findFirst();
        if (same.isPresent()) {
            return same.get();
        }
        if (entry.files().size() == 1) {
            return entry.files().get(0);
        }
        String ext = extension(name);
        List<ModelFile> byExt = entry.files().stream().filter(f -> extension(f.fileName()).equals(ext))
                .collect(Collectors.toList());
        if (byExt.size() == 1) {
            return byExt.get(0);
        }
        throw new ModelException("cannot tell which file of " + entry.name() + " " + src + " is; name it like one of: "
                + entry.files().stream().map(ModelFile::fileName).collect(Collectors.joining(", ")));
    }

    private static String extension(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".yml")) {
            return ".yaml";
        }
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot);
    }
}
