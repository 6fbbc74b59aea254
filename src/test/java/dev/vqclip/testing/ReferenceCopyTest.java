package dev.vqclip.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's copy of the reference vectors ({@code testdata/reference/}) is exactly what was generated: every
 * file listed in {@code MANIFEST.json} is present with the listed size and SHA-256, nothing else is in the folder,
 * and the two files the manifest cannot list (itself and the README) have the checksums they had when copied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceCopyTest {
    /** Checksums of the files the manifest does not list, as copied from the generator's output. */
    private static final Map<String, String> UNLISTED = Map.of(
            "MANIFEST.json", "ff9d91f65dae8bb97a40a691cf90c3d0780a7a660193741cc3edd6619802fb6d",
            "README.md", "b0b225ee5a73052528aefdd5f28432d6da82f3c5f4661fc667453a6167a6a9ce");
    private static final int LISTED = 80;

    private Path dir;
    private Map<String, JsonNode> manifest;

    @BeforeAll
    void read() throws IOException {
        dir = Reference.dir();
        manifest = new TreeMap<>();
        for (JsonNode f : new ObjectMapper().readTree(dir.resolve("MANIFEST.json").toFile()).get("files")) {
            assertThat(manifest.put(f.get("file").asText(), f)).as("listed twice: %s", f.get("file")).isNull();
        }
    }

    @Test
    void theRepositoryCopyIsTheOneTheBuildReads() {
        Path repositoryCopy = Path.of(Reference.IN_REPOSITORY).toAbsolutePath().normalize();
        assertThat(Files.isRegularFile(repositoryCopy.resolve("MANIFEST.json")))
                .as("the reference vectors are in the repository at %s", repositoryCopy).isTrue();
        assertThat(dir).as("-D%s", Reference.LOCATION).isEqualTo(repositoryCopy);
    }

    @Test
    void theManifestAndReadmeAreTheOnesCopied() throws IOException {
        for (Map.Entry<String, String> e : UNLISTED.entrySet()) {
            assertThat(sha256(dir.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(manifest).hasSize(LISTED);
    }

    @Test
    void everyListedFileIsPresentWithItsSizeAndChecksum() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : manifest.entrySet()) {
            Path file = dir.resolve(e.getKey());
            if (!Files.isRegularFile(file)) {
                wrong.add(e.getKey() + ": missing");
                continue;
            }
            long bytes = Files.size(file);
            if (bytes != e.getValue().get("bytes").asLong()) {
                wrong.add(e.getKey() + ": " + bytes + " bytes, listed " + e.getValue().get("bytes").asLong());
            }
            String sha = sha256(file);
            if (!sha.equals(e.getValue().get("sha256").asText())) {
                wrong.add(e.getKey() + ": sha256 " + sha + ", listed " + e.getValue().get("sha256").asText());
            }
        }
        assertThat(wrong).as("files that differ from MANIFEST.json").isEmpty();
    }

    @Test
    void theFolderHoldsNothingElse() throws IOException {
        TreeSet<String> present = new TreeSet<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> present.add(dir.relativize(p).toString().replace('\\', '/')));
        }
        TreeSet<String> expected = new TreeSet<>(manifest.keySet());
        expected.addAll(UNLISTED.keySet());
        assertThat(present).containsExactlyElementsOf(expected);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
