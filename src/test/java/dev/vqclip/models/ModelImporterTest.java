package dev.vqclip.models;

import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.Safetensors;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.vqclip.models.TestModels.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code models import} checks a file completely (size, SHA-256 where published, format, structure, fit to its yaml)
 * where it is, before anything is written into the cache: a refused import leaves the cache folder exactly as it was,
 * file for file, byte for byte, time stamp for time stamp.
 */
class ModelImporterTest {
    @TempDir
    Path tmp;
    ModelCache cache;
    ModelImporter importer;
    /** A VQGAN whose publisher gives no checksum (the case where the structure check is all there is). */
    ModelEntry vq;
    Path ckpt;
    Path yaml;

    @BeforeEach
    void setUp() throws IOException {
        cache = new ModelCache(tmp.resolve("cache"));
        importer = new ModelImporter(cache, StructureChecks.standard());
        vq = entry("tinyvq", ModelKind.VQGAN,
                new ModelFile("tinyvq.ckpt", FileRole.CKPT, null, null, null, List.of(), null),
                new ModelFile("tinyvq.yaml", FileRole.CONFIG, null, null, null, List.of(), null));
        ckpt = Files.copy(Reference.file("vqgan_tiny.ckpt"), tmp.resolve("last.ckpt"));
        yaml = Files.copy(Reference.file("vqgan_tiny.yaml"), tmp.resolve("model.yaml"));
    }

    /** @return every file and folder under the cache with its size, SHA-256 and modification time */
    private List<String> listing() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(cache.root())) {
            return List.of("(no cache folder)");
        }
        try (Stream<Path> s = Files.walk(cache.root())) {
            for (Path p : s.sorted().toList()) {
                String rel = cache.root().relativize(p).toString();
                out.add(Files.isDirectory(p) ? rel + "/" : rel + " " + Files.size(p) + " " + Hashing.sha256(p) + " "
                        + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(tmp.resolve(name), data);
    }

    @Test
    void aGoodImportInstallsAndRecordsEveryChecksum() throws IOException {
        ModelImporter.Outcome o = importer.importFiles(vq, List.of(ckpt, yaml));
        assertThat(o.installed()).isTrue();
        assertThat(cache.isInstalled(vq)).isTrue();
        assertThat(cache.fileOf(vq, vq.files().get(0))).hasSameBinaryContentAs(ckpt);
        assertThat(cache.marker(vq).orElseThrow().path("files").get(0).path("sha256").asText())
                .isEqualTo(Hashing.sha256(ckpt));
        try (Stream<Path> s = Files.list(cache.modelDir(vq))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly(ModelCache.MARKER, "tinyvq.ckpt", "tinyvq.yaml");
        }
    }

    @Test
    void aFileThatIsNotACheckpointIsRefusedWithNothingWritten() throws IOException {
        // starts like a pickle, so only parsing it shows it is not one (the evil.ckpt)
        byte[] evil = new byte[4096];
        evil[0] = (byte) 0x80;
        evil[1] = 2;
        byte[] call = "cos\nsystem\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(call, 0, evil, 2, call.length);
        Path bad = write("evil.ckpt", evil);
        List<String> before = listing();

        assertThatThrownBy(() -> importer.importFiles(vq, List.of(bad, yaml)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("refusing to import").hasMessageContaining("evil.ckpt")
                .hasMessageContaining("nothing was written");

        assertThat(listing()).isEqualTo(before).containsExactly("(no cache folder)");
        assertThat(cache.status(vq)).isEqualTo(ModelCache.Status.MISSING);
    }

    @Test
    void weightsThatAreNotAVqganOrDoNotFitTheYamlAreRefusedAndAnInstalledModelStaysAsItWas() throws IOException {
        importer.importFiles(vq, List.of(ckpt, yaml));
        ModelEntry other = entry("othervq", ModelKind.VQGAN,
                new ModelFile("othervq.yaml", FileRole.CONFIG, null, null, null, List.of(), null));
        importer.importFiles(other, List.of(yaml));
        List<String> before = listing();

        Path notVq = tmp.resolve("clip.ckpt");
        Safetensors.write(notVq, Map.of("visual.conv1.weight", RawTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2)),
                Map.of());
        assertThatThrownBy(() -> importer.importFiles(vq, List.of(notVq)))
                .hasMessageContaining("not a VQGAN checkpoint").hasMessageContaining("nothing was written");
        assertThat(listing()).isEqualTo(before);

        // a real VQGAN checkpoint, but not the one the installed yaml describes
        Path wrongYaml = write("wrong.yaml", Files.readString(yaml).replace("embed_dim: 8", "embed_dim: 256")
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> importer.importFiles(vq, List.of(ckpt, wrongYaml)))
                .hasMessageContaining("does not fit its yaml").hasMessageContaining("nothing was written");
        assertThat(listing()).isEqualTo(before);
        assertThat(cache.isInstalled(vq)).isTrue();
    }

    @Test
    void aCheckpointImportedAloneIsCheckedAgainstTheYamlAlreadyInTheCache() throws IOException {
        Path wrongYaml = write("tinyvq.yaml", Files.readString(yaml).replace("embed_dim: 8", "embed_dim: 256")
                .getBytes(StandardCharsets.UTF_8));
        ModelImporter.Outcome half = importer.importFiles(vq, List.of(wrongYaml));
        assertThat(half.installed()).isFalse();
        assertThat(half.missing()).extracting(ModelFile::fileName).containsExactly("tinyvq.ckpt");
        List<String> before = listing();

        assertThatThrownBy(() -> importer.importFiles(vq, List.of(ckpt)))
                .hasMessageContaining("does not fit its yaml");
        assertThat(listing()).isEqualTo(before);

        // with the right yaml beside it, the same checkpoint goes in
        assertThat(importer.importFiles(vq, List.of(ckpt, yaml)).installed()).isTrue();
    }

    @Test
    void aFileWithTheWrongPublishedChecksumIsRefusedBeforeTheFolderIsMade() throws IOException {
        byte[] good = TestModels.randomBytes(2000, 1);
        ModelEntry sums = entry("summed", ModelKind.CLIP, TestModels.verified("summed.pt", FileRole.WEIGHTS, good));
        Path wrong = write("summed.pt", TestModels.randomBytes(2000, 2));
        assertThatThrownBy(() -> importer.importFiles(sums, List.of(wrong))).hasMessageContaining("SHA-256");
        assertThat(listing()).containsExactly("(no cache folder)");
    }
}
