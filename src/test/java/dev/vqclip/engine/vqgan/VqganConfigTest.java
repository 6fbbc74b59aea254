package dev.vqclip.engine.vqgan;

import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VqganConfigTest {
    static final String TINY = """
            model:
              base_learning_rate: 4.5e-06
              target: taming.models.vqgan.VQModel
              params:
                embed_dim: 8
                n_embed: 32
                ddconfig:
                  double_z: false
                  z_channels: 8
                  resolution: 32
                  in_channels: 3
                  out_ch: 3
                  ch: 32
                  ch_mult: [1, 2, 2]
                  num_res_blocks: 1
                  attn_resolutions: [16]
                  dropout: 0.0
                lossconfig:
                  target: taming.modules.losses.vqperceptual.VQLPIPSWithDiscriminator
            data:
              target: main.DataModuleFromConfig
            """;

    @Test
    void readsTheReferenceYamlInTamingsLayout() {
        VqganConfig c = VqganConfig.load(Reference.file("vqgan_tiny.yaml"));
        assertThat(c.variant()).isEqualTo(VqganConfig.Variant.VQ);
        assertThat(c.embedDim()).isEqualTo(8);
        assertThat(c.nEmbed()).isEqualTo(32);
        assertThat(c.zChannels()).isEqualTo(8);
        assertThat(c.resolution()).isEqualTo(32);
        assertThat(c.ch()).isEqualTo(32);
        assertThat(c.chMult()).containsExactly(1, 2, 2);
        assertThat(c.numResBlocks()).isEqualTo(1);
        assertThat(c.attnResolutions()).containsExactly(16);
        assertThat(c.factor()).isEqualTo(4);
        assertThat(c.source()).endsWith("vqgan_tiny.yaml");
    }

    @Test
    void builtinConfigsDescribeTheReleasedModels() {
        VqganConfig f16 = VqganConfig.builtin("vqgan_imagenet_f16_16384");
        assertThat(f16.variant()).isEqualTo(VqganConfig.Variant.VQ);
        assertThat(f16.nEmbed()).isEqualTo(16384);
        assertThat(f16.embedDim()).isEqualTo(256);
        assertThat(f16.chMult()).containsExactly(1, 1, 2, 2, 4);
        assertThat(f16.numResBlocks()).isEqualTo(2);
        assertThat(f16.attnResolutions()).containsExactly(16);
        assertThat(f16.factor()).isEqualTo(16);
        assertThat(VqganConfig.builtin("vqgan_imagenet_f16_1024.yaml").nEmbed()).isEqualTo(1024);
        VqganConfig gumbel = VqganConfig.builtin("vqgan_gumbel_f8_8192");
        assertThat(gumbel.variant()).isEqualTo(VqganConfig.Variant.GUMBEL);
        assertThat(gumbel.nEmbed()).isEqualTo(8192);
        assertThat(gumbel.chMult()).containsExactly(1, 1, 2, 4);
        assertThat(gumbel.attnResolutions()).containsExactly(32);
        assertThat(gumbel.factor()).isEqualTo(8);
        assertThatThrownBy(() -> VqganConfig.builtin("nope")).isInstanceOf(VqganConfigException.class)
                .hasMessageContaining("nope").hasMessageContaining("vqgan_imagenet_f16_16384");
    }

    @Test
    void gumbelTargetSelectsTheGumbelVariant() {
        VqganConfig c = VqganConfig.parse(TINY.replace("vqgan.VQModel", "vqgan.GumbelVQ"), "g.yaml");
        assertThat(c.variant()).isEqualTo(VqganConfig.Variant.GUMBEL);
    }

    @Test
    void missingKeyIsNamedWithTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, TINY.replace("      num_res_blocks: 1\n", ""));
        assertThatThrownBy(() -> VqganConfig.load(f)).isInstanceOf(VqganConfigException.class)
                .hasMessageContaining("broken.yaml").hasMessageContaining("model.params.ddconfig.num_res_blocks");
    }

    @Test
    void valueOfTheWrongKindIsNamed() {
        assertThatThrownBy(() -> VqganConfig.parse(TINY.replace("ch_mult: [1, 2, 2]", "ch_mult: wide"), "x.yaml"))
                .isInstanceOf(VqganConfigException.class).hasMessageContaining("x.yaml")
                .hasMessageContaining("model.params.ddconfig.ch_mult").hasMessageContaining("list");
        assertThatThrownBy(() -> VqganConfig.parse(TINY.replace("n_embed: 32", "n_embed: many"), "x.yaml"))
                .hasMessageContaining("model.params.n_embed").hasMessageContaining("integer");
        assertThatThrownBy(() -> VqganConfig.parse(TINY.replace("ch_mult: [1, 2, 2]", "ch_mult: [1, x]"), "x.yaml"))
                .hasMessageContaining("ch_mult[1]");
        assertThatThrownBy(() -> VqganConfig.parse("model: [1, 2]", "x.yaml"))
                .hasMessageContaining("x.yaml: model is a list; expected a mapping");
    }

    @Test
    void unsupportedModelsAndBrokenYamlAreRefusedClearly() {
        assertThatThrownBy(() -> VqganConfig.parse(TINY.replace("taming.models.vqgan.VQModel",
                "taming.models.cond_transformer.Net2NetTransformer"), "t.yaml"))
                .hasMessageContaining("t.yaml").hasMessageContaining("model.target");
        assertThatThrownBy(() -> VqganConfig.parse("model: {target: [", "t.yaml"))
                .isInstanceOf(VqganConfigException.class).hasMessageContaining("t.yaml: not valid yaml");
        assertThatThrownBy(() -> VqganConfig.parse(TINY.replace("ch: 32", "ch: 16"), "t.yaml"))
                .hasMessageContaining("32 normalisation groups");
        assertThatThrownBy(() -> VqganConfig.parse(TINY.replace("double_z: false", "double_z: true"), "t.yaml"))
                .hasMessageContaining("double_z");
        assertThatThrownBy(() -> VqganConfig.load(Path.of("/no/such/file.yaml")))
                .isInstanceOf(VqganConfigException.class).hasMessageContaining("/no/such/file.yaml");
    }

    @Test
    void impliesOneAttentionLevelPerListedResolution() {
        VqganConfig c = VqganConfig.parse(TINY, "t.yaml");
        assertThat(List.of(32, 16, 8).stream().map(c::attentionAt)).containsExactly(false, true, false);
        // the tiny model has attention in encoder level 1 (16x16) and decoder level 1, plus the two middles
        assertThat(Vqgan.tensorShapes(c).keySet()).contains("encoder.down.1.attn.0.q.weight",
                "decoder.up.1.attn.0.proj_out.bias", "decoder.up.1.attn.1.k.weight", "encoder.mid.attn_1.v.bias")
                .doesNotContain("encoder.down.0.attn.0.q.weight", "decoder.up.2.attn.0.q.weight",
                        "decoder.up.0.upsample.conv.weight", "encoder.down.2.downsample.conv.weight");
    }
}
