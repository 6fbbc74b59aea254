package dev.vqclip.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

/**
 * The folder downloaded models live in: {@code <root>/<model name>/<file name>}, plus an {@value #MARKER} written
 * last. A model is installed iff its marker exists and every file is present with its catalogue size (when known).
 * Downloads in progress are {@code <file name>.part} beside it and never count.
 *
 * <p>The root is, in order: the system property {@value #CACHE_PROPERTY}, the environment variable
 * {@value #CACHE_ENV}, {@code $XDG_CACHE_HOME/vqclip}, {@code ~/.cache/vqclip}. A shared cache may be read-only
 * (file permissions, or a {@value #READ_ONLY_MARKER} file in the root, which is what lets an administrator running
 * as root mark it): listing and using it never write, and any attempt to change it fails with a message naming the
 * folder. Reading methods never create folders.
 */
public final class ModelCache {
    public static final String CACHE_PROPERTY = "vqclip.cache";
    public static final String CACHE_ENV = "VQCLIP_CACHE";
    public static final String MARKER = "installed.json";
    public static final String READ_ONLY_MARKER = ".vqclip-readonly";
    public static final String PART_SUFFIX = ".part";

    /** How far a model is from being usable. */
    public enum Status {
        /** marker and all files present */
        INSTALLED,
        /** some files or partial downloads present, but not installed */
        PARTIAL,
        /** nothing present */
        MISSING
    }

    private final Path root;

    /** A cache rooted at {@code root} (made absolute; nothing is created until something is installed). */
    public ModelCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** @return the cache at the location the environment and system properties name */
    public static ModelCache fromEnvironment() {
        return new ModelCache(locate(System.getenv(), System.getProperties()));
    }

    /** @return the cache root the given environment and properties name (see the class comment for the order) */
    public static Path locate(Map<String, String> env, Properties props) {
        String p = props.getProperty(CACHE_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String e = env.get(CACHE_ENV);
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "vqclip");
        }
        return Path.of(props.getProperty("user.home", "."), ".cache", "vqclip");
    }

    /** @return the absolute cache folder */
    public Path root() {
        return root;
    }

    /** @return the model's folder (may not exist) */
    public Path modelDir(ModelEntry e) {
        return root.resolve(e.name());
    }

    /** @return where the file lives once installed (may not exist) */
    public Path fileOf(ModelEntry e, ModelFile f) {
        return modelDir(e).resolve(f.fileName());
    }

    /** @return where a download in progress is kept */
    public Path partOf(ModelEntry e, ModelFile f) {
        return modelDir(e).resolve(f.fileName() + PART_SUFFIX);
    }

    /** @return true if the file is present with its catalogue size (or any size when unknown) */
    public boolean isPresent(ModelEntry e, ModelFile f) {
        Path p = fileOf(e, f);
        try {
            return Files.isRegularFile(p) && (f.size() == null || Files.size(p) == f.size());
        } catch (IOException ex) {
            return false;
        }
    }

    /** @return true if the marker exists and every file is present */
    public boolean isInstalled(ModelEntry e) {
        return Files.isRegularFile(modelDir(e).resolve(MARKER)) && e.files().stream().allMatch(f -> isPresent(e, f));
    }

    /** @return installed, partial (files or downloads present) or missing */
    public Status status(ModelEntry e) {
        if (isInstalled(e)) {
            return Status.INSTALLED;
        }
        for (ModelFile f : e.files()) {
            if (Files.exists(fileOf(e, f)) || Files.exists(partOf(e, f))) {
                return Status.PARTIAL;
            }
        }
        return Status.MISSING;
    }

    /** @return true if this process may change the cache (create, download, import, remove) */
    public boolean isWritable() {
        if (Files.exists(root.resolve(READ_ONLY_MARKER))) {
            return false;
        }
        Path p = root;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && Files.isDirectory(p) && Files.isWritable(p);
    }

    /**
     * Throws unless the cache may be changed.
     *
     * @param what what the caller was about to do, for the message ("download vqgan_imagenet_f16_16384")
     */
    public void requireWritable(String what) {
        if (!isWritable()) {
            throw new ModelException("the model cache " + root + " is read-only, so vqclip cannot " + what
                    + " there. Use models from it as they are, or point " + CACHE_ENV
                    + " (or -D" + CACHE_PROPERTY + ") to a folder you can write to.");
        }
    }

    /** Creates the model's folder if needed (after checking the cache is writable) and returns it. */
    public Path prepareDir(ModelEntry e, String what) {
        requireWritable(what);
        Path dir = modelDir(e);
        try {
            Files.createDirectories(dir);
        } catch (AccessDeniedException ex) {
            throw new ModelException("the model cache " + root + " is read-only (cannot create " + dir
                    + "), so vqclip cannot " + what + " there; point " + CACHE_ENV + " to a writable folder.", ex);
        } catch (IOException ex) {
            throw new ModelException("cannot create " + dir + ": " + ex.getMessage(), ex);
        }
        return dir;
    }

    /**
     * Writes the marker (last step of installing): a small JSON with the files, their sizes and checksums. Written
     * with {@link AtomicFiles}, so a crash leaves either no marker or a whole one.
     *
     * @param sha256s SHA-256 per file name where computed (may omit files)
     * @throws ModelException if a file is missing
     */
    public void markInstalled(ModelEntry e, Map<String, String> sha256s) {
        requireWritable("install " + e.name());
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("name", e.name());
        root.put("kind", e.kind().id());
        root.put("installedAt", Instant.now().toString());
        ArrayNode files = root.putArray("files");
        try {
            for (ModelFile f : e.files()) {
                Path p = fileOf(e, f);
                if (!Files.isRegularFile(p)) {
                    throw new ModelException("cannot mark " + e.name() + " installed: " + p + " is missing");
                }
                ObjectNode n = files.addObject();
                n.put("file", f.fileName());
                n.put("size", Files.size(p));
                n.put("sha256", sha256s.get(f.fileName()));
            }
            byte[] json = om.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            AtomicFiles.write(modelDir(e).resolve(MARKER), out -> out.write(json));
        } catch (IOException ex) {
            throw new ModelException("cannot write " + modelDir(e).resolve(MARKER) + ": " + ex.getMessage(), ex);
        }
    }

    /** @return the marker's content, if the model has one and it parses */
    public java.util.Optional<JsonNode> marker(ModelEntry e) {
        Path m = modelDir(e).resolve(MARKER);
        if (!Files.isRegularFile(m)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.ofNullable(new ObjectMapper().readTree(m.toFile()));
        } catch (IOException ex) {
            return java.util.Optional.empty();
        }
    }

    /** Removes the marker first (so the model stops counting as installed), then the files, then the folder. */
    public void remove(ModelEntry e) {
        requireWritable("remove " + e.name());
        Path dir = modelDir(e);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(MARKER));
            for (ModelFile f : e.files()) {
                Files.deleteIfExists(fileOf(e, f));
                Files.deleteIfExists(partOf(e, f));
                Files.deleteIfExists(dir.resolve(f.fileName() + PART_SUFFIX + ".url"));
            }
            Files.deleteIfExists(dir.resolve(MARKER + ".tmp")); // left by versions before AtomicFiles
            AtomicFiles.cleanStale(dir.resolve(MARKER));
            for (ModelFile f : e.files()) {
                AtomicFiles.cleanStale(fileOf(e, f)); // staged imports a killed process left
            }
            Files.deleteIfExists(dir.resolve(".download.lock"));
            try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
                if (!rest.iterator().hasNext()) {
                    Files.delete(dir);
                }
            }
        } catch (IOException ex) {
            throw new ModelException("cannot remove " + e.name() + " from " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Deletes the marker only (used before replacing a file of an installed model). */
    void unmark(ModelEntry e) throws IOException {
        Files.deleteIfExists(modelDir(e).resolve(MARKER));
    }

    /** Moves {@code from} onto {@code to} atomically (same folder, so the same file system). */
    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException ex) {
            throw new FileSystemException(from.toString(), to.toString(),
                    "the file system cannot rename atomically; the cache must be on a local file system");
        }
    }
}
