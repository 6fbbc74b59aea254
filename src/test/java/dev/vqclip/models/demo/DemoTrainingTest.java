package dev.vqclip.models.demo;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.models.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTrainingTest {
    @Test
    void aShortRunWritesLoadableModelsAndIsReproducibleFromItsSeed(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        DemoTraining.Report ra = DemoTraining.run(new DemoTraining.Options(7, a, 3, 3, 1), line -> { });
        DemoTraining.Report rb = DemoTraining.run(new DemoTraining.Options(7, b, 3, 3, 1), line -> { });
        assertThat(rb.files()).isEqualTo(ra.files());
        for (String f : ra.files().keySet()) {
            assertThat(Hashing.sha256(a.resolve(f))).isEqualTo(ra.files().get(f));
        }
        try (Vqgan v = Vqgan.load(a.resolve(DemoTraining.VQGAN_FILE), a.resolve(DemoTraining.VQGAN_YAML),
                Device.cpu());
             Clip c = Clip.load(a.resolve(DemoTraining.CLIP_FILE), Device.cpu())) {
            assertThat(v.factor()).isEqualTo(8);
            assertThat(v.codebook().getShape().get(0)).isEqualTo(DemoTraining.N_EMBED);
            ClipTokenizer tok = ClipTokenizer.load(a.resolve(DemoTraining.VOCAB_FILE));
            assertThat(c.config().vocabSize()).isEqualTo(tok.vocabSize());
            assertThat(c.contextLength()).isEqualTo(DemoTraining.CONTEXT);
            assertThat(c.imageResolution()).isEqualTo(64);
            // every caption word is one token of the learnt vocabulary
            assertThat(tok.encode("a small red circle at the top left on a blue background")).hasSize(12);
        }
        JsonNode json = new ObjectMapper().readTree(a.resolve(DemoTraining.REPORT_FILE).toFile());
        assertThat(json.get("seed").asLong()).isEqualTo(7);
        assertThat(json.get("vqgan").get("steps").asInt()).isEqualTo(3);
        assertThat(json.get("sha256").get(DemoTraining.CLIP_FILE).asText()).isEqualTo(ra.files()
                .get(DemoTraining.CLIP_FILE));
        assertThat(json.get("clip").get("captionRanking").get("scenes").asInt()).isEqualTo(
                DemoTraining.RANKING_SCENES);
    }

    @Test
    void aDifferentSeedGivesDifferentWeights(@TempDir Path dir) throws Exception {
        DemoTraining.Report r1 = DemoTraining.run(new DemoTraining.Options(1, dir.resolve("1"), 1, 1, 1), l -> { });
        DemoTraining.Report r2 = DemoTraining.run(new DemoTraining.Options(2, dir.resolve("2"), 1, 1, 1), l -> { });
        assertThat(r2.files().get(DemoTraining.VQGAN_FILE)).isNotEqualTo(r1.files().get(DemoTraining.VQGAN_FILE));
        assertThat(r2.files().get(DemoTraining.CLIP_FILE)).isNotEqualTo(r1.files().get(DemoTraining.CLIP_FILE));
    }

    @Test
    void halfPrecisionConversionRoundsToNearestEven() {
        float[] samples = {0f, -0f, 1f, -2.5f, 65504f, 1e-8f, 6.1e-5f, 3e-6f, 0.1f, 1234.567f, Float.NaN,
            Float.POSITIVE_INFINITY, 70000f};
        for (float f : samples) {
            float back = RawTensor.halfToFloat(DemoTraining.toHalf(f));
            if (Float.isNaN(f)) {
                assertThat(back).isNaN();
            } else if (Math.abs(f) > 65520f) {
                assertThat(back).isInfinite();
            } else {
                // binary16 keeps 11 significant bits; subnormals have an absolute step of 2^-24
                assertThat((double) Math.abs(back - f)).as("%s", f)
                        .isLessThanOrEqualTo(Math.max(Math.abs(f) / 2048.0, Math.pow(2, -25)));
            }
        }
        // exhaustive round trip: every finite half survives float -> half unchanged
        for (int h = 0; h < 0x10000; h++) {
            float f = RawTensor.halfToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertThat(DemoTraining.toHalf(f)).as("half %04x", h).isEqualTo((short) h);
            }
        }
        // ties go to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
        assertThat(DemoTraining.toHalf(1f + (float) Math.pow(2, -11))).isEqualTo((short) 0x3c00);
        assertThat(DemoTraining.toHalf(1f + 3 * (float) Math.pow(2, -11))).isEqualTo((short) 0x3c02);
    }

    @Test
    void captionDistractorsDifferInExactlyOneAttributeOrSwapTheColours() {
        ShapesWorld.Scene s = new ShapesWorld.Scene(ShapesWorld.Shape.CIRCLE, ShapesWorld.Colour.RED,
                ShapesWorld.Colour.BLUE, ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE);
        assertThat(CaptionRanking.distractors(s)).hasSize(6 + 6 + 4 + 1).doesNotContain(s.caption())
                .contains("a green circle on a blue background", "a red circle on a green background",
                        "a red star on a blue background", "a blue circle on a red background");
    }
}
