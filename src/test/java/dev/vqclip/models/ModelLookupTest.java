package dev.vqclip.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static dev.vqclip.models.TestModels.anyStructure;
import static dev.vqclip.models.TestModels.entry;
import static dev.vqclip.models.TestModels.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

/** Model files are found by SHA-256: where they were, among the installed models, among the demo models. */
class ModelLookupTest {
    @TempDir
    Path tmp;

    @Test
    void findsAFileWhereItWasThenAmongInstalledModelsThenAmongTheDemoModels() throws IOException {
        byte[] weights = randomBytes(3000, 1);
        byte[] demoVocab = randomBytes(500, 2);
        ModelCache cache = new ModelCache(tmp.resolve("cache"));
        // installed without a published checksum: the marker records the one computed at import
        ModelEntry clip = entry("someclip", ModelKind.CLIP, new ModelFile("someclip.pt", FileRole.WEIGHTS, null, null,
                null, List.of(), null));
        Catalogue catalogue = new Catalogue("test", List.of(clip));
        new ModelImporter(cache, anyStructure()).importFiles(clip, List.of(Files.write(tmp.resolve("c.pt"), weights)));
        Path demo = Files.createDirectories(tmp.resolve("assets/models/demo"));
        Files.write(demo.resolve(DemoModels.VOCAB_FILE), demoVocab);
        Path here = Files.write(tmp.resolve("here.pt"), weights);
        ModelLookup lookup = new ModelLookup(catalogue, cache, Optional.of(demo));

        List<ModelLookup.Result> r = lookup.find(List.of(
                new ModelLookup.Wanted(FileRole.WEIGHTS, "here.pt", here, Hashing.sha256(weights), 3000L),
                new ModelLookup.Wanted(FileRole.WEIGHTS, "moved.pt", tmp.resolve("moved.pt"), Hashing.sha256(weights),
                        3000L),
                new ModelLookup.Wanted(null, "bpe.txt.gz", null, Hashing.sha256(demoVocab), null),
                new ModelLookup.Wanted(FileRole.VOCAB, "other.txt.gz", here, Hashing.sha256(randomBytes(500, 3)),
                        500L)));

        assertThat(r.get(0).found().orElseThrow().path()).isEqualTo(here);
        assertThat(r.get(1).found().orElseThrow().path()).isEqualTo(cache.fileOf(clip, clip.files().get(0)));
        assertThat(r.get(1).found().get().where()).isEqualTo("someclip");
        assertThat(r.get(2).found().orElseThrow().path()).isEqualTo(demo.resolve(DemoModels.VOCAB_FILE));
        assertThat(r.get(2).found().get().role()).isEqualTo(FileRole.VOCAB);
        assertThat(r.get(2).found().get().demo()).isTrue();
        assertThat(r.get(3).found()).isEmpty();
        assertThat(r.get(3).why()).contains("changed since").contains("3000 bytes, was 500");
    }

    @Test
    void aFileOfTheRightSizeButAnotherChecksumIsNotTakenForTheWantedOne() throws IOException {
        Path demo = Files.createDirectories(tmp.resolve("demo"));
        Files.write(demo.resolve(DemoModels.VQGAN_YAML), randomBytes(100, 4));
        Path was = Files.write(tmp.resolve("vq.yaml"), randomBytes(100, 5));
        ModelLookup lookup = new ModelLookup(new Catalogue("test", List.of()), new ModelCache(tmp.resolve("c")),
                Optional.of(demo));
        ModelLookup.Result r = lookup.find(List.of(new ModelLookup.Wanted(FileRole.CONFIG, "vq.yaml", was,
                Hashing.sha256(randomBytes(100, 6)), 100L))).get(0);
        assertThat(r.found()).isEmpty();
        assertThat(r.why()).contains("changed since").contains(Hashing.sha256(was));
    }
}
