package dev.vqclip.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.vqclip.models.TestModels.entry;
import static dev.vqclip.models.TestModels.randomBytes;
import static dev.vqclip.models.TestModels.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class ModelCacheTest {
    @TempDir
    Path tmp;

    private static Properties props(String... kv) {
        Properties p = new Properties();
        p.setProperty("user.home", "/home/u");
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void locationFollowsPropertyThenEnvironmentThenXdgThenHome() {
        assertThat(ModelCache.locate(Map.of("VQCLIP_CACHE", "/e", "XDG_CACHE_HOME", "/x"),
                props("vqclip.cache", "/p"))).isEqualTo(Path.of("/p"));
        assertThat(ModelCache.locate(Map.of("VQCLIP_CACHE", "/e", "XDG_CACHE_HOME", "/x"), props()))
                .isEqualTo(Path.of("/e"));
        assertThat(ModelCache.locate(Map.of("XDG_CACHE_HOME", "/x"), props())).isEqualTo(Path.of("/x/vqclip"));
        assertThat(ModelCache.locate(Map.of("XDG_CACHE_HOME", "relative"), props()))
                .isEqualTo(Path.of("/home/u/.cache/vqclip"));
        assertThat(ModelCache.locate(Map.of(), props())).isEqualTo(Path.of("/home/u/.cache/vqclip"));
    }

    /** Writes the files of {@code e} and its marker the way an install does. */
    static void install(ModelCache cache, ModelEntry e, byte[]... contents) throws IOException {
        Files.createDirectories(cache.modelDir(e));
        for (int i = 0; i < e.files().size(); i++) {
            Files.write(cache.fileOf(e, e.files().get(i)), contents[i]);
        }
        cache.markInstalled(e, Map.of());
    }

    @Test
    void installedMeansMarkerAndEveryFileWithItsSize() throws IOException {
        ModelCache cache = new ModelCache(tmp);
        byte[] a = randomBytes(100, 1);
        ModelEntry e = entry("m", ModelKind.CLIP, verified("m.pt", FileRole.WEIGHTS, a));
        assertThat(cache.status(e)).isEqualTo(ModelCache.Status.MISSING);

        Files.createDirectories(cache.modelDir(e));
        Files.write(cache.fileOf(e, e.files().get(0)), a);
        assertThat(cache.status(e)).as("files without marker").isEqualTo(ModelCache.Status.PARTIAL);

        cache.markInstalled(e, Map.of());
        assertThat(cache.isInstalled(e)).isTrue();

        Files.write(cache.fileOf(e, e.files().get(0)), randomBytes(99, 1));
        assertThat(cache.isInstalled(e)).as("wrong size").isFalse();

        cache.remove(e);
        assertThat(Files.exists(cache.modelDir(e))).isFalse();
        assertThat(cache.status(e)).isEqualTo(ModelCache.Status.MISSING);
    }

    @Test
    void partialDownloadDoesNotCountAsInstalled() throws IOException {
        ModelCache cache = new ModelCache(tmp);
        ModelEntry e = entry("p", ModelKind.CLIP, verified("p.pt", FileRole.WEIGHTS, randomBytes(10, 1)));
        Files.createDirectories(cache.modelDir(e));
        Files.write(cache.partOf(e, e.files().get(0)), new byte[5]);
        assertThat(cache.status(e)).isEqualTo(ModelCache.Status.PARTIAL);
        assertThat(cache.isInstalled(e)).isFalse();
    }

    private static List<String> snapshot(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> {
                try {
                    return root.relativize(p) + "@" + Files.getLastModifiedTime(p).toMillis();
                } catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void readOnlyCacheIsListedAndUsedWithoutWritingButRefusesChanges() throws IOException {
        ModelCache cache = new ModelCache(tmp.resolve("shared"));
        byte[] a = randomBytes(100, 2);
        ModelEntry e = entry("shared", ModelKind.CLIP, verified("s.pt", FileRole.WEIGHTS, a));
        ModelEntry other = entry("other", ModelKind.CLIP, verified("o.pt", FileRole.WEIGHTS, a));
        install(cache, e, a);
        Files.createFile(cache.root().resolve(ModelCache.READ_ONLY_MARKER));
        List<String> before = snapshot(cache.root());

        assertThat(cache.isWritable()).isFalse();
        assertThat(cache.isInstalled(e)).isTrue();
        assertThat(cache.status(other)).isEqualTo(ModelCache.Status.MISSING);
        assertThat(new ModelVerifier(cache, TestModels.anyStructure()).verify(e).ok()).isTrue();
        assertThatThrownBy(() -> cache.remove(e)).hasMessageContaining("read-only")
                .hasMessageContaining(cache.root().toString());
        assertThatThrownBy(() -> cache.prepareDir(other, "download other")).hasMessageContaining("read-only")
                .hasMessageContaining("VQCLIP_CACHE");

        assertThat(snapshot(cache.root())).isEqualTo(before);
    }

    @Test
    void cacheWithoutWritePermissionIsReadOnly() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")),
                "file permissions do not bind root; the marker-file test covers read-only caches there");
        Path root = Files.createDirectories(tmp.resolve("perm"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThat(new ModelCache(root).isWritable()).isFalse();
        } finally {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void readingANonexistentCacheCreatesNothing() {
        Path root = tmp.resolve("nothing-here");
        ModelCache cache = new ModelCache(root);
        ModelEntry e = entry("x", ModelKind.CLIP, verified("x.pt", FileRole.WEIGHTS, randomBytes(3, 1)));
        assertThat(cache.status(e)).isEqualTo(ModelCache.Status.MISSING);
        assertThat(cache.isWritable()).isTrue();
        assertThat(Files.exists(root)).isFalse();
    }
}
