package dev.vqclip.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies installed models: every file present, the size when known, the SHA-256 when known (from the catalogue or
 * embedded in the download URL), and for files without a checksum the {@link StructureCheck} (the file parses and a
 * VQGAN checkpoint fits its yaml). Reads only; works on read-only caches.
 */
public final class ModelVerifier {
    /**
     * The verdict on one file.
     *
     * @param file    the catalogue file
     * @param path    where it was looked for
     * @param ok      whether it passed
     * @param method  how it was checked: {@code sha256}, {@code size+structure} or {@code missing}
     * @param message what was wrong, or a short confirmation
     */
    public record FileResult(ModelFile file, Path path, boolean ok, String method, String message) {
    }

    /**
     * The verdict on one model.
     *
     * @param entry          the model
     * @param files          one result per file
     * @param structureError the structure check's complaint, or {@code null} if it passed or did not run
     */
    public record Result(ModelEntry entry, List<FileResult> files, String structureError) {
        public boolean ok() {
            return structureError == null && files.stream().allMatch(FileResult::ok);
        }
    }

    private final ModelCache cache;
    private final StructureCheck structure;

    /** @param structure the check for files without a known SHA-256 (normally {@link StructureChecks#standard()}) */
    public ModelVerifier(ModelCache cache, StructureCheck structure) {
        this.cache = cache;
        this.structure = structure;
    }

    /** Verifies the model's files where the cache keeps them. */
    public Result verify(ModelEntry e) {
        Map<ModelFile, Path> paths = new LinkedHashMap<>();
        for (ModelFile f : e.files()) {
            paths.put(f, cache.fileOf(e, f));
        }
        return verify(e, paths);
    }

    /** Verifies files at the given paths as the files of {@code e} (used for imports before they are moved in). */
    public Result verify(ModelEntry e, Map<ModelFile, Path> paths) {
        List<FileResult> results = new ArrayList<>();
        boolean allPresent = true;
        boolean needsStructure = false;
        for (Map.Entry<ModelFile, Path> me : paths.entrySet()) {
            FileResult r = verifyFile(me.getKey(), me.getValue());
            results.add(r);
            allPresent &= !r.method().equals("missing");
            needsStructure |= me.getKey().knownSha256().isEmpty();
        }
        String structureError = null;
        if (allPresent && needsStructure && results.stream().allMatch(FileResult::ok)) {
            try {
                structure.check(e, paths);
            } catch (ModelException ex) {
                structureError = ex.getMessage();
            }
        }
        return new Result(e, results, structureError);
    }

    /** Checks one file's presence, size and checksum (no structure). */
    public static FileResult verifyFile(ModelFile f, Path p) {
        if (!Files.isRegularFile(p)) {
            return new FileResult(f, p, false, "missing", p + " is missing");
        }
        try {
            long size = Files.size(p);
            if (f.size() != null && size != f.size()) {
                return new FileResult(f, p, false, "size", p.getFileName() + " has " + size
                        + " bytes but should have " + f.size());
            }
            Optional<String> sha = f.knownSha256();
            if (sha.isPresent()) {
                String got = Hashing.sha256(p);
                if (!got.equals(sha.get())) {
                    return new FileResult(f, p, false, "sha256", p.getFileName() + ": SHA-256 is " + got
                            + " but should be " + sha.get());
                }
                return new FileResult(f, p, true, "sha256", "SHA-256 matches");
            }
            return new FileResult(f, p, true, "size+structure", f.size() != null ? "size matches" : "present");
        } catch (IOException ex) {
            return new FileResult(f, p, false, "io", "cannot read " + p + ": " + ex.getMessage());
        }
    }
}
