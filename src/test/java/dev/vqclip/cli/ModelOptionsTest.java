package dev.vqclip.cli;

import dev.vqclip.models.ModelCache;
import dev.vqclip.models.ModelNotInstalledException;
import dev.vqclip.models.ResolvedModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelOptionsTest {
    @TempDir
    Path tmp;

    @CommandLine.Command(name = "probe")
    static final class Probe {
        @CommandLine.Mixin
        ModelOptions models;
    }

    @AfterEach
    void clear() {
        System.clearProperty(ModelCache.CACHE_PROPERTY);
    }

    private static ModelOptions parse(String... args) {
        Probe p = new Probe();
        new CommandLine(p).parseArgs(args);
        return p.models;
    }

    @Test
    void filesGivenOnTheCommandLineAreUsedAsTheyAre() throws IOException {
        System.setProperty(ModelCache.CACHE_PROPERTY, tmp.resolve("cache").toString());
        Path ckpt = Files.write(tmp.resolve("v.ckpt"), new byte[] {1});
        Path yaml = Files.write(tmp.resolve("v.yaml"), new byte[] {1});
        Path clip = Files.write(tmp.resolve("c.pt"), new byte[] {1});
        Path vocab = Files.write(tmp.resolve("bpe.txt.gz"), new byte[] {1});
        StringWriter err = new StringWriter();

        ResolvedModels r = parse("--vqgan", ckpt.toString(), "--clip", clip.toString(), "--vocab", vocab.toString())
                .resolve(new PrintWriter(err));

        assertThat(r.vqganCkpt()).isEqualTo(ckpt);
        assertThat(r.vqganConfig()).isEqualTo(yaml);
        assertThat(r.clipWeights()).isEqualTo(clip);
        assertThat(r.clipVocab()).isEqualTo(vocab);
        assertThat(r.demo()).isFalse();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aCatalogueNameThatIsNotInstalledSaysHowToGetIt() {
        System.setProperty(ModelCache.CACHE_PROPERTY, tmp.resolve("empty").toString());
        ModelOptions o = parse("--vqgan", "vqgan_imagenet_f16_16384", "--clip", "ViT-B/32");
        assertThatThrownBy(() -> o.resolve(new PrintWriter(new StringWriter())))
                .isInstanceOf(ModelNotInstalledException.class)
                .hasMessageContaining("heibox.uni-heidelberg.de")
                .hasMessageContaining("vqclip models import /path/to/vqgan_imagenet_f16_16384.ckpt "
                        + "/path/to/vqgan_imagenet_f16_16384.yaml --as vqgan_imagenet_f16_16384");
    }
}
