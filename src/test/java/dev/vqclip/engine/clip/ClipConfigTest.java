package dev.vqclip.engine.clip;

import ai.djl.Device;
import dev.vqclip.engine.weights.DType;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightsException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sizes are inferred from tensor shapes like OpenAI's build_model, and files that do not fit are refused by name. */
class ClipConfigTest {
    static final ClipConfig TINY = new ClipConfig(16, 32, 2, 128, 2, 8, 77, 49408, 64, 1, 2);

    /** Zero-filled tensors with the given names and shapes (fp16 like OpenAI's archives: cheap and realistic). */
    static Map<String, RawTensor> zeros(Map<String, long[]> shapes) {
        Map<String, RawTensor> m = new LinkedHashMap<>();
        shapes.forEach((k, s) -> m.put(k, new RawTensor(DType.FLOAT16, s,
                ByteBuffer.allocate(Math.toIntExact(RawTensor.numel(s) * 2)))));
        return m;
    }

    @Test
    void sizesAreInferredFromTheTensorShapes() {
        StateDict sd = new StateDict("tiny.pt", zeros(TINY.expectedTensors()));
        assertThat(ClipConfig.fromWeights(sd)).isEqualTo(TINY);
        assertThat(TINY.grid()).isEqualTo(4);
        assertThat(TINY.visionTokens()).isEqualTo(17);
    }

    @Test
    void builtinModelsHaveThePublishedSizes() {
        ClipConfig b32 = ClipConfig.builtin("ViT-B/32");
        assertThat(b32.imageResolution()).isEqualTo(224);
        assertThat(b32.grid()).isEqualTo(7);
        assertThat(b32.visionHeads()).isEqualTo(12);
        assertThat(b32.embedDim()).isEqualTo(512);
        assertThat(ClipConfig.builtin("vit-b-16").grid()).isEqualTo(14);
        ClipConfig l14 = ClipConfig.builtin("ViT-L/14");
        assertThat(l14.visionWidth()).isEqualTo(1024);
        assertThat(l14.visionLayers()).isEqualTo(24);
        assertThat(l14.textWidth()).isEqualTo(768);
        assertThat(l14.textHeads()).isEqualTo(12);
        assertThat(l14.grid()).isEqualTo(16);
        assertThatThrownBy(() -> ClipConfig.builtin("RN50")).hasMessageContaining("ViT-B/32");
        // another shape family round-trips through inference too (3 text layers, patch 16, 4 heads)
        ClipConfig mid = new ClipConfig(32, 64, 1, 256, 4, 16, 20, 300, 128, 2, 3);
        assertThat(ClipConfig.fromWeights(new StateDict("mid", zeros(mid.expectedTensors())))).isEqualTo(mid);
    }

    @Test
    void resnetModelsAreRefusedAsNotSupportedYet() {
        Map<String, RawTensor> t = new LinkedHashMap<>();
        t.put("visual.conv1.weight", RawTensor.ofFloats(new float[32 * 3 * 9], 32, 3, 3, 3));
        t.put("visual.layer1.0.conv1.weight", RawTensor.ofFloats(new float[4], 4, 1, 1, 1));
        t.put("visual.attnpool.positional_embedding", RawTensor.ofFloats(new float[4], 2, 2));
        StateDict sd = new StateDict("RN50.pt", t);
        assertThatThrownBy(() -> ClipConfig.fromWeights(sd)).isInstanceOf(WeightsException.class)
                .hasMessageContaining("RN50.pt")
                .hasMessageContaining("ResNet CLIP models")
                .hasMessageContaining("not supported yet");
    }

    @Test
    void aFileThatIsNotClipIsRefusedNamingTheMissingTensor() {
        StateDict sd = new StateDict("vqgan.ckpt", Map.of("encoder.conv_in.weight",
                RawTensor.ofFloats(new float[4], 4)));
        assertThatThrownBy(() -> ClipConfig.fromWeights(sd)).isInstanceOf(WeightsException.class)
                .hasMessageContaining("vqgan.ckpt").hasMessageContaining("visual.conv1.weight");
    }

    @Test
    void missingUnexpectedAndMisshapenTensorsAreAllNamed() {
        Map<String, RawTensor> t = zeros(TINY.expectedTensors());
        t.remove("visual.transformer.resblocks.1.mlp.c_fc.bias");
        t.put("visual.ln_post.bias", RawTensor.ofFloats(new float[3], 3));
        t.put("visual.extra_head.weight", RawTensor.ofFloats(new float[2], 2));
        StateDict sd = new StateDict("odd.pt", t);
        assertThatThrownBy(() -> Clip.fromStateDict(sd, Device.cpu())).isInstanceOf(WeightsException.class)
                .hasMessageContaining("odd.pt")
                .hasMessageContaining("visual.transformer.resblocks.1.mlp.c_fc.bias")
                .hasMessageContaining("visual.ln_post.bias [3] (expected [128])")
                .hasMessageContaining("visual.extra_head.weight");
    }

    @Test
    void archiveBuffersAreNotWeights() {
        Map<String, RawTensor> t = zeros(TINY.expectedTensors());
        ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 32);
        t.put("input_resolution", new RawTensor(DType.INT64, new long[0], b));
        t.put("context_length", new RawTensor(DType.INT64, new long[0], b));
        t.put("vocab_size", new RawTensor(DType.INT64, new long[0], b));
        try (Clip c = Clip.fromStateDict(new StateDict("archive.pt", t), Device.cpu())) {
            assertThat(c.config()).isEqualTo(TINY);
            assertThat(c.imageResolution()).isEqualTo(32);
            assertThat(c.contextLength()).isEqualTo(77);
            assertThat(c.embedDim()).isEqualTo(16);
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedByName() {
        Map<String, RawTensor> t = zeros(TINY.expectedTensors());
        float[] v = new float[128];
        v[5] = Float.NaN;
        t.put("visual.ln_pre.weight", RawTensor.ofFloats(v, 128));
        assertThatThrownBy(() -> Clip.fromStateDict(new StateDict("nan.pt", t), Device.cpu()))
                .isInstanceOf(WeightsException.class).hasMessageContaining("nan.pt")
                .hasMessageContaining("visual.ln_pre.weight");
    }
}
