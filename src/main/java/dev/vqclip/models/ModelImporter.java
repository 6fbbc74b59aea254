package dev.vqclip.models;

import dev.vqclip.engine.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Installs files the user fetched by hand ({@code vqclip models import FILE... --as NAME}). Each file is matched to
 * a catalogue file (same name, else same extension) and verified where it is: size and SHA-256 when the catalogue
 * publishes them, else its format and structure (with the model's other files, given or already in the cache). Only
 * then are the files copied into the cache, through temporaries that replace the cache's files once all are written.
 * Once all files of the model are present, the model is marked installed.
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
     * Checks the given files completely, then copies them into the cache. Nothing is written into the cache unless
     * every check passed and every copy was written and matched its source byte for byte; a refused import leaves the
     * cache exactly as it was (no folder, no file, no temporary; an installed model stays installed).
     *
     * @throws ModelException when a file does not match any of the model's files, fails verification (size, SHA-256
     *                        where known, format and structure), or the cache is read-only
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
        Path dir = cache.modelDir(entry);
        String unchanged = "; nothing was written to " + dir;
        // 1. size and published checksum of each given file, and the SHA-256 of what is checked
        Map<ModelFile, String> sourceSha = new LinkedHashMap<>();
        for (Map.Entry<ModelFile, Path> m : matched.entrySet()) {
            ModelVerifier.FileResult r = ModelVerifier.verifyFile(m.getKey(), m.getValue());
            if (!r.ok()) {
                throw new ModelException("refusing to import " + m.getValue() + " as " + entry.name() + "/"
                        + m.getKey().fileName() + ": " + r.message() + unchanged);
            }
            try {
                sourceSha.put(m.getKey(), m.getKey().knownSha256().isPresent() ? m.getKey().knownSha256().get()
                        : Hashing.sha256(m.getValue()));
            } catch (IOException e) {
                throw new ModelException("cannot read " + m.getValue() + ": " + e.getMessage() + unchanged, e);
            }
        }
        // 2. format and structure of files without a published checksum, together with the files of the model the
        //    cache already holds (a checkpoint is checked against the yaml it will be used with)
        Map<String, String> oldShas = markerShas(entry);
        Map<ModelFile, Path> together = new LinkedHashMap<>();
        for (ModelFile f : entry.files()) {
            if (matched.containsKey(f)) {
                together.put(f, matched.get(f));
            } else if (ModelVerifier.verifyFile(f, cache.fileOf(entry, f)).ok()) {
                together.put(f, cache.fileOf(entry, f));
            }
        }
        if (together.keySet().stream().anyMatch(f -> f.knownSha256().isEmpty())) {
            try {
                structure.check(entry, together);
            } catch (ModelException e) {
                throw new ModelException("refusing to import into " + entry.name() + ": " + e.getMessage()
                        + unchanged, e);
            }
        }
        // 3. copy into locked temporaries beside the targets, each checked against its source's SHA-256; only when
        //    all are written do they replace the cache's files
        boolean dirExisted = Files.isDirectory(dir);
        cache.prepareDir(entry, "import " + entry.name());
        List<AtomicFiles.Staged> staged = new ArrayList<>();
        boolean changed = false;
        try {
            for (Map.Entry<ModelFile, Path> m : matched.entrySet()) {
                staged.add(AtomicFiles.stage(cache.fileOf(entry, m.getKey()),
                        out -> copyChecked(m.getValue(), out, sourceSha.get(m.getKey()))));
            }
            changed = true;
            cache.unmark(entry);
            for (AtomicFiles.Staged s : staged) {
                s.commit();
            }
        } catch (IOException e) {
            throw new ModelException("cannot import into " + dir + ": " + e.getMessage()
                    + (changed ? "" : unchanged), e);
        } finally {
            for (AtomicFiles.Staged s : staged) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a temporary that cannot be deleted is cleaned by the next write of that file
                }
            }
            if (!changed && !dirExisted) {
                try {
                    Files.deleteIfExists(dir); // only if empty: the folder this import made
                } catch (IOException ignored) {
                    // not empty after all: someone else wrote there meanwhile
                }
            }
        }
        List<ModelFile> missing = entry.files().stream().filter(f -> !together.containsKey(f))
                .collect(Collectors.toList());
        List<String> names = matched.keySet().stream().map(ModelFile::fileName).collect(Collectors.toList());
        if (!missing.isEmpty()) {
            return new Outcome(entry, false, names, missing);
        }
        Map<String, String> shas = new LinkedHashMap<>();
        for (ModelFile f : entry.files()) {
            String sha = sourceSha.containsKey(f) ? sourceSha.get(f)
                    : f.knownSha256().orElse(oldShas.get(f.fileName()));
            if (sha != null) {
                shas.put(f.fileName(), sha);
            }
        }
        cache.markInstalled(entry, shas);
        return new Outcome(entry, true, names, List.of());
    }

    /** @return file name → SHA-256 from the model's marker, where it has one */
    private Map<String, String> markerShas(ModelEntry entry) {
        Map<String, String> out = new LinkedHashMap<>();
        cache.marker(entry).ifPresent(m -> m.path("files").forEach(f -> {
            if (f.path("sha256").isTextual()) {
                out.put(f.path("file").asText(), f.path("sha256").asText());
            }
        }));
        return out;
    }

    /** Copies {@code src} to {@code out}; throws unless the bytes copied have the SHA-256 that was verified. */
    private static void copyChecked(Path src, OutputStream out, String expectedSha) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(src)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        String got = HexFormat.of().formatHex(md.digest());
        if (!got.equals(expectedSha)) {
            throw new IOException(src + " changed while it was imported (SHA-256 " + got + ", verified "
                    + expectedSha + ")");
        }
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
