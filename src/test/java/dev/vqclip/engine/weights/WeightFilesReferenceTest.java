package dev.vqclip.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Every tensor of the reference model files matches what the original Python code saw. */
class WeightFilesReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String torchName(DType d) {
        return switch (d) {
            case FLOAT64 -> "float64";
            case FLOAT32 -> "float32";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case INT64 -> "int64";
            case INT32 -> "int32";
            case INT16 -> "int16";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "vqgan_tiny.ckpt, vqgan_tiny_tensors.json, TORCH_ZIP",
            "vqgan_tiny_legacy.ckpt, vqgan_tiny_tensors.json, TORCH_LEGACY",
            "clip_tiny_state_dict.pt, clip_tiny_state_dict_tensors.json, TORCH_ZIP",
            "clip_tiny_jit.pt, clip_tiny_jit_tensors.json, TORCHSCRIPT"})
    void everyTensorMatchesTheReferenceSummary(String model, String summary, WeightFiles.Format format)
            throws Exception {
        Path file = Reference.file(model);
        assertThat(WeightFiles.detect(file)).isEqualTo(format);
        StateDict sd = WeightFiles.load(file);
        JsonNode expected = JSON.readTree(Reference.file(summary).toFile());
        List<String> expectedNames = new ArrayList<>();
        expected.forEach(t -> expectedNames.add(t.get("name").asText()));
        assertThat(new ArrayList<>(sd.names())).as("names in file order").isEqualTo(expectedNames);
        double worstFirst = 0;
        double worstSum = 0;
        for (JsonNode t : expected) {
            String name = t.get("name").asText();
            RawTensor raw = sd.get(name);
            List<Long> shape = new ArrayList<>();
            t.get("shape").forEach(d -> shape.add(d.asLong()));
            assertThat(raw.shape()).as(name + " shape").containsExactly(shape.stream().mapToLong(Long::longValue).toArray());
            assertThat(torchName(raw.dtype())).as(name + " dtype").isEqualTo(t.get("dtype").asText());
            float[] v = raw.toFloatArray();
            double sum = 0;
            double abs = 0;
            for (float f : v) {
                sum += f;
                abs += Math.abs(f);
            }
            double expAbs = t.get("abs_sum").asDouble();
            assertThat(abs).as(name + " abs sum").isCloseTo(expAbs, within(1e-9 * expAbs + 1e-12));
            assertThat(sum).as(name + " sum").isCloseTo(t.get("sum").asDouble(), within(1e-9 * expAbs + 1e-12));
            worstSum = Math.max(worstSum, Math.abs(abs - expAbs) / Math.max(expAbs, 1e-30));
            JsonNode first = t.get("first");
            for (int i = 0; i < first.size(); i++) {
                worstFirst = Math.max(worstFirst, Math.abs(v[i] - first.get(i).asDouble()));
                assertThat((double) v[i]).as(name + " value " + i).isEqualTo(first.get(i).asDouble());
            }
        }
        System.out.printf("%s: %d tensors match %s (first values max |Δ| %.2g, abs-sum max rel. Δ %.2g)%n", model,
                sd.size(), summary, worstFirst, worstSum);
    }

    @Test
    void filterReadsOnlyTheWantedTensors(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        for (String model : List.of("vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt")) {
            StateDict vq = WeightFiles.load(Reference.file(model), n -> !n.startsWith("loss."));
            assertThat(vq.size()).as(model).isEqualTo(183);
            assertThat(vq.names()).noneMatch(n -> n.startsWith("loss.")).contains("quantize.embedding.weight");
        }
        StateDict visual = WeightFiles.load(Reference.file("clip_tiny_jit.pt"), n -> n.startsWith("visual."));
        assertThat(visual.names()).allMatch(n -> n.startsWith("visual.")).contains("visual.proj");
        Path st = tmp.resolve("clip.safetensors");
        Safetensors.write(st, WeightFiles.load(Reference.file("clip_tiny_state_dict.pt")).asMap(), Map.of());
        assertThat(WeightFiles.load(st, "logit_scale"::equals).names()).containsExactly("logit_scale");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WeightFiles.load(st, n -> false))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("none of its 62 tensors");
    }

    @Test
    void torchScriptHalfWeightsEqualTheStateDictAfterWidening() {
        StateDict jit = WeightFiles.load(Reference.file("clip_tiny_jit.pt"));
        StateDict sd = WeightFiles.load(Reference.file("clip_tiny_state_dict.pt"));
        assertThat(jit.names()).containsAll(sd.names())
                .contains("input_resolution", "context_length", "vocab_size").hasSize(sd.size() + 3);
        int half = 0;
        for (String name : sd.names()) {
            RawTensor a = sd.get(name);
            RawTensor b = jit.get(name, a.shape());
            half += b.dtype() == DType.FLOAT16 ? 1 : 0;
            // Arrays.equals: AssertJ's containsExactly is quadratic on million-element arrays
            assertThat(java.util.Arrays.equals(b.toFloatArray(), a.toFloatArray())).as(name + " values").isTrue();
        }
        assertThat(half).isEqualTo(35);
        assertThat(jit.get("vocab_size").toLongArray()).containsExactly(49408);
    }

    @Test
    void lightningMetadataReads() {
        for (String model : List.of("vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt")) {
            TorchCheckpoint ckpt = TorchCheckpoint.read(Reference.file(model));
            assertThat(ckpt.getLong("epoch")).hasValue(4);
            assertThat(ckpt.getLong("global_step")).hasValue(12345);
            assertThat(ckpt.getString("pytorch-lightning_version")).hasValue("1.0.8");
            Map<?, ?> callbacks = (Map<?, ?>) ckpt.topLevel().get("callbacks");
            Object key = callbacks.keySet().iterator().next();
            assertThat(key).isInstanceOf(PickleGlobal.class);
            assertThat(((PickleGlobal) key).qualifiedName())
                    .isEqualTo("pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint");
            Map<?, ?> state = (Map<?, ?>) callbacks.get(key);
            assertThat(state.get("monitor")).isEqualTo("val/rec_loss");
            RawTensor score = ckpt.tensor((TensorRef) state.get("best_model_score"));
            assertThat(score.shape()).isEmpty();
            assertThat(score.toFloatArray()).hasSize(1);
            assertThat(ckpt.stateDict().size()).isEqualTo(196);
        }
    }
}
