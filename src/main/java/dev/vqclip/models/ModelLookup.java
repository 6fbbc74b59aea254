package dev.vqclip.models;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds model files by their SHA-256, for resuming a saved run with the very files it was made with. Where it looks,
 * in order: the path the file was read from when the run was made, the models installed in the cache (their marker
 * records each file's SHA-256; a file without one is hashed only when its size matches), and the bundled demo models.
 * A file counts only if its content has the wanted SHA-256, wherever it is and whatever it is called. Reads only.
 */
public final class ModelLookup {
    /**
     * A file to find.
     *
     * @param role     what it is (null when the record does not say: any role matches)
     * @param fileName its name when recorded (for messages)
     * @param path     where it was (null when not recorded)
     * @param sha256   its SHA-256, lower-case hex
     * @param size     its size in bytes (null when not recorded)
     */
    public record Wanted(FileRole role, String fileName, Path path, String sha256, Long size) {
    }

    /**
     * Where a wanted file was found.
     *
     * @param path  the file
     * @param role  its role (the wanted one, or the role it has where it was found)
     * @param where {@code "where the run found it"}, the catalogue name of the installed model, or {@code "demo"}
     */
    public record Found(Path path, FileRole role, String where) {
        /** @return true for one of the bundled demo models */
        public boolean demo() {
            return where.equals(ModelResolver.DEMO);
        }
    }

    /**
     * The verdict on one wanted file.
     *
     * @param wanted the file
     * @param found  where it is, if anywhere
     * @param why    when not found: what became of the recorded path ("no longer there", "changed: ..."), else null
     */
    public record Result(Wanted wanted, Optional<Found> found, String why) {
    }

    private record Candidate(Path path, FileRole role, String where, String knownSha) {
    }

    private final Catalogue catalogue;
    private final ModelCache cache;
    private final Optional<Path> demoDir;
    private final Map<Path, String> hashes = new HashMap<>();

    /** @param demoDir the bundled demo models' folder, if there is one */
    public ModelLookup(Catalogue catalogue, ModelCache cache, Optional<Path> demoDir) {
        this.catalogue = catalogue;
        this.cache = cache;
        this.demoDir = demoDir;
    }

    /** @return a lookup over the bundled catalogue, the environment's cache and the demo models the resolver finds */
    public static ModelLookup standard() {
        Catalogue c = Catalogue.load();
        ModelCache cache = ModelCache.fromEnvironment();
        return new ModelLookup(c, cache, new ModelResolver(c, cache, ModelResolver.defaultAssetDirs(), m -> { })
                .demoDir());
    }

    /** @return the cache this looks in */
    public ModelCache cache() {
        return cache;
    }

    /** @return the demo folder this looks in, if any */
    public Optional<Path> demoDir() {
        return demoDir;
    }

    /** @return one result per wanted file, in order */
    public List<Result> find(List<Wanted> wanted) {
        List<Candidate> candidates = candidates();
        List<Result> out = new ArrayList<>();
        for (Wanted w : wanted) {
            out.add(find(w, candidates));
        }
        return out;
    }

    private Result find(Wanted w, List<Candidate> candidates) {
        String why = null;
        if (w.path() != null) {
            if (!Files.isRegularFile(w.path())) {
                why = "no longer there";
            } else {
                Optional<String> sha = hashIfSize(w.path(), w.size());
                if (sha.isPresent() && sha.get().equals(w.sha256())) {
                    return new Result(w, Optional.of(new Found(w.path(), w.role(), "where the run found it")), null);
                }
                why = sha.isPresent() ? "there, but changed since (its SHA-256 is now " + sha.get() + ")"
                        : "there, but changed since (now " + size(w.path()) + " bytes, was " + w.size() + ")";
            }
        }
        for (Candidate c : candidates) {
            if (w.role() != null && c.role() != w.role()) {
                continue;
            }
            String sha = c.knownSha();
            if (sha == null) {
                sha = hashIfSize(c.path(), w.size()).orElse(null);
            }
            if (w.sha256().equals(sha)) {
                return new Result(w, Optional.of(new Found(c.path(), c.role(), c.where())), null);
            }
        }
        return new Result(w, Optional.empty(), why);
    }

    /** Installed model files (with the SHA-256 their marker or the catalogue gives), then the demo files. */
    private List<Candidate> candidates() {
        List<Candidate> out = new ArrayList<>();
        for (ModelEntry e : catalogue.entries()) {
            if (!cache.isInstalled(e)) {
                continue;
            }
            Map<String, String> recorded = new LinkedHashMap<>();
            cache.marker(e).ifPresent(m -> {
                for (JsonNode f : m.path("files")) {
                    if (f.path("sha256").isTextual()) {
                        recorded.put(f.path("file").asText(), f.path("sha256").asText());
                    }
                }
            });
            for (ModelFile f : e.files()) {
                String sha = recorded.getOrDefault(f.fileName(), f.knownSha256().orElse(null));
                out.add(new Candidate(cache.fileOf(e, f), f.role(), e.name(), sha));
            }
        }
        demoDir.ifPresent(d -> {
            out.add(new Candidate(d.resolve(DemoModels.VQGAN_FILE), FileRole.CKPT, ModelResolver.DEMO, null));
            out.add(new Candidate(d.resolve(DemoModels.VQGAN_YAML), FileRole.CONFIG, ModelResolver.DEMO,
                    null));
            out.add(new Candidate(d.resolve(DemoModels.CLIP_FILE), FileRole.WEIGHTS, ModelResolver.DEMO, null));
            out.add(new Candidate(d.resolve(DemoModels.VOCAB_FILE), FileRole.VOCAB, ModelResolver.DEMO, null));
        });
        return out;
    }

    /** @return the file's SHA-256 when it exists and has {@code size} bytes (any size when null); hashed once */
    private Optional<String> hashIfSize(Path p, Long size) {
        try {
            if (!Files.isRegularFile(p) || (size != null && Files.size(p) != size)) {
                return Optional.empty();
            }
            Path key = p.toAbsolutePath().normalize();
            String sha = hashes.get(key);
            if (sha == null) {
                sha = Hashing.sha256(p);
                hashes.put(key, sha);
            }
            return Optional.of(sha);
        } catch (IOException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static String size(Path p) {
        try {
            return Long.toString(Files.size(p));
        } catch (IOException e) {
            return "?";
        }
    }
}
