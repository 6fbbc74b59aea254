package dev.vqclip.models;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.vqclip.models.ModelCacheTest.install;
import static dev.vqclip.models.TestModels.randomBytes;
import static dev.vqclip.models.TestModels.sizeOnly;
import static dev.vqclip.models.TestModels.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelResolverTest {
    @TempDir
    Path tmp;
    ModelCache cache;
    Catalogue catalogue;
    List<String> notices = new ArrayList<>();
    final byte[] bytes = randomBytes(64, 1);
    ModelEntry big;
    ModelEntry small;
    ModelEntry b32;
    ModelEntry b16;
    ModelEntry vocab;

    @BeforeEach
    void setUp() {
        cache = new ModelCache(tmp.resolve("cache"));
        URI u = URI.create("https://models.example/x");
        big = new ModelEntry("vq_big", ModelKind.VQGAN, List.of("big"), "", List.of(), List.of(
                sizeOnly("vq_big.ckpt", FileRole.CKPT, bytes, URI.create("https://host.example/big.ckpt")),
                sizeOnly("vq_big.yaml", FileRole.CONFIG, bytes, u)));
        small = new ModelEntry("vq_small", ModelKind.VQGAN, List.of(), "", List.of(), List.of(
                sizeOnly("vq_small.ckpt", FileRole.CKPT, bytes, u), sizeOnly("vq_small.yaml", FileRole.CONFIG, bytes, u)));
        b32 = new ModelEntry("clip-b32", ModelKind.CLIP, List.of("ViT-B/32"), "", List.of("vocab"),
                List.of(verified("b32.pt", FileRole.WEIGHTS, bytes, u)));
        b16 = new ModelEntry("clip-b16", ModelKind.CLIP, List.of(), "", List.of("vocab"),
                List.of(verified("b16.pt", FileRole.WEIGHTS, bytes, u)));
        vocab = new ModelEntry("vocab", ModelKind.VOCAB, List.of(), "", List.of(),
                List.of(verified("bpe.txt.gz", FileRole.VOCAB, bytes, u)));
        catalogue = new Catalogue("test", List.of(big, small, b32, b16, vocab));
    }

    private ModelResolver resolver(Path... assetDirs) {
        return new ModelResolver(catalogue, cache, List.of(assetDirs), notices::add);
    }

    private Path demoAssets() throws IOException {
        Path assets = tmp.resolve("assets");
        Path demo = Files.createDirectories(assets.resolve("models/demo"));
        for (String f : List.of("vqgan.safetensors", "vqgan.yaml", "clip.safetensors", "bpe.txt.gz")) {
            Files.write(demo.resolve(f), bytes);
        }
        return assets;
    }

    @Test
    void prefersTheBestInstalledModelsInCatalogueOrder() throws IOException {
        install(cache, small, bytes, bytes);
        install(cache, big, bytes, bytes);
        install(cache, b16, bytes);
        install(cache, b32, bytes);
        install(cache, vocab, bytes);

        ResolvedModels r = resolver(demoAssets()).resolve(null, null, null, null);

        assertThat(r.vqganName()).isEqualTo("vq_big");
        assertThat(r.vqganCkpt()).isEqualTo(cache.fileOf(big, big.files().get(0)));
        assertThat(r.vqganConfig()).isEqualTo(cache.fileOf(big, big.files().get(1)));
        assertThat(r.clipName()).isEqualTo("clip-b32");
        assertThat(r.clipVocab()).isEqualTo(cache.fileOf(vocab, vocab.files().get(0)));
        assertThat(r.demo()).isFalse();
        assertThat(notices).isEmpty();
    }

    @Test
    void fallsBackToTheDemoModelsAndSaysSo() throws IOException {
        Path assets = demoAssets();
        ResolvedModels r = resolver(tmp.resolve("no-assets-here"), assets).resolve(null, null, null, null);

        assertThat(r.demo()).isTrue();
        assertThat(r.vqganCkpt()).isEqualTo(assets.resolve("models/demo/vqgan.safetensors"));
        assertThat(r.vqganConfig()).isEqualTo(assets.resolve("models/demo/vqgan.yaml"));
        assertThat(r.clipWeights()).isEqualTo(assets.resolve("models/demo/clip.safetensors"));
        assertThat(r.clipVocab()).isEqualTo(assets.resolve("models/demo/bpe.txt.gz"));
        assertThat(r.vqganName()).isEqualTo("demo");
        assertThat(notices).hasSize(2).allMatch(n -> n.contains("demo")).anyMatch(n -> n.contains("vq_big"));
    }

    @Test
    void withNothingInstalledAndNoDemoTheErrorSaysHowToGetAModel() {
        assertThatThrownBy(() -> resolver(tmp.resolve("nowhere")).resolve(null, null, null, null))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("vqclip models download vq_big")
                .hasMessageContaining(tmp.resolve("nowhere").toString());
    }

    @Test
    void aFileArgumentWinsAndFindsItsYamlBesideIt() throws IOException {
        install(cache, big, bytes, bytes);
        install(cache, vocab, bytes);
        Path ckpt = Files.write(tmp.resolve("mine.ckpt"), bytes);
        Path yaml = Files.write(tmp.resolve("mine.yaml"), bytes);
        Path clip = Files.write(tmp.resolve("myclip.pt"), bytes);

        ResolvedModels r = resolver().resolve(ckpt.toString(), clip.toString(), null, null);

        assertThat(r.vqganCkpt()).isEqualTo(ckpt);
        assertThat(r.vqganConfig()).isEqualTo(yaml);
        assertThat(r.vqganName()).isEqualTo("mine.ckpt");
        assertThat(r.clipWeights()).isEqualTo(clip);
        assertThat(r.clipVocab()).isEqualTo(cache.fileOf(vocab, vocab.files().get(0)));
        assertThat(r.demo()).isFalse();
    }

    @Test
    void aFileWithoutYamlAsksForConfig() throws IOException {
        Path ckpt = Files.write(tmp.resolve("lonely.ckpt"), bytes);
        assertThatThrownBy(() -> resolver().resolve(ckpt.toString(), null, null, null))
                .hasMessageContaining("--config").hasMessageContaining("lonely.yaml");
        Path cfg = Files.write(tmp.resolve("other.yaml"), bytes);
        install(cache, b32, bytes);
        install(cache, vocab, bytes);
        assertThat(resolver().resolve(ckpt.toString(), null, cfg, null).vqganConfig()).isEqualTo(cfg);
    }

    @Test
    void aNameThatIsNotInstalledGivesTheOfflineMessage() {
        assertThatThrownBy(() -> resolver().resolve("big", "ViT-B/32", null, null))
                .isInstanceOf(ModelNotInstalledException.class)
                .hasMessageContaining("'vq_big' is not installed")
                .hasMessageContaining("vq_big.ckpt")
                .hasMessageContaining("https://host.example/big.ckpt")
                .hasMessageContaining("vqclip models download vq_big")
                .hasMessageContaining("vqclip models import /path/to/vq_big.ckpt /path/to/vq_big.yaml --as vq_big");
    }

    @Test
    void aClipNameNeedsItsVocabularyInstalled() throws IOException {
        install(cache, big, bytes, bytes);
        install(cache, b32, bytes);
        assertThatThrownBy(() -> resolver().resolve(null, "ViT-B/32", null, null))
                .isInstanceOf(ModelNotInstalledException.class)
                .hasMessageContaining("'vocab' is not installed");
        assertThatThrownBy(() -> resolver().resolve(null, null, null, null))
                .as("an installed CLIP without vocabulary is not silently replaced by the demo")
                .isInstanceOf(ModelNotInstalledException.class)
                .hasMessageContaining("'vocab' is not installed");
        install(cache, vocab, bytes);
        assertThat(resolver().resolve(null, "ViT-B/32", null, null).clipName()).isEqualTo("clip-b32");
        assertThat(resolver().resolve(null, null, null, null).clipName()).isEqualTo("clip-b32");
    }

    @Test
    void wrongKindsUnknownNamesAndMissingFilesAreExplained() {
        assertThatThrownBy(() -> resolver().resolve("clip-b32", null, null, null))
                .hasMessageContaining("is a clip model, not vqgan");
        assertThatThrownBy(() -> resolver().resolve("nonsense", null, null, null))
                .hasMessageContaining("not a file and not a known model").hasMessageContaining("vq_small");
        assertThatThrownBy(() -> resolver().resolve("/no/such/model.ckpt", null, null, null))
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> resolver().resolve(null, null, tmp.resolve("absent.yaml"), null))
                .hasMessageContaining("--config").hasMessageContaining("no such file");
    }

    @Test
    void defaultAssetFoldersStartWithTheWorkingDirectory() {
        List<Path> dirs = ModelResolver.defaultAssetDirs();
        assertThat(dirs.get(0)).isEqualTo(Path.of("assets").toAbsolutePath());
        // under Maven the code runs from target/classes, so the second candidate is <project>/assets
        assertThat(dirs.get(1)).isEqualTo(Path.of("assets").toAbsolutePath());
    }
}
