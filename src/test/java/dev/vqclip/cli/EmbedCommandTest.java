package dev.vqclip.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.weights.Npy;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class EmbedCommandTest {
    @Test
    void textEmbeddingMatchesOpenAisNormalisedFeatures(@TempDir Path dir) {
        Path out = dir.resolve("e.npy");
        CliRun r = CliRun.of("embed", "--clip", Reference.file("clip_tiny_jit.pt").toString(), "--vocab",
                Reference.file("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--text", "a red apple",
                "--out", out.toString(), "--device", "cpu");
        assertThat(r.code()).as(r.err()).isZero();
        RawTensor t = Npy.read(out);
        assertThat(t.shape()).containsExactly(1, 16);
        float[] expected = Arrays.copyOfRange(Reference.floats("clip/text_features_normed.npy"), 0, 16);
        Reference.assertClose("embed --text 'a red apple'", expected, t.toFloatArray(), 1e-4);
    }

    @Test
    void imageEmbeddingIsTheNormalisedFeatureOfThePng(@TempDir Path dir) throws Exception {
        // the first reference image, quantised to 8 bits and saved as a 32×32 PNG (the model's resolution: no resize)
        float[] pixels = Arrays.copyOfRange(Reference.floats("clip/image_pixels.npy"), 0, 3 * 32 * 32);
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        float[] quantised = new float[pixels.length];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    int v = Math.round(pixels[(c * 32 + y) * 32 + x] * 255);
                    quantised[(c * 32 + y) * 32 + x] = v / 255f;
                    rgb = (rgb << 8) | v;
                }
                img.setRGB(x, y, rgb);
            }
        }
        Path png = dir.resolve("in.png");
        ImageIO.write(img, "png", png.toFile());
        Path out = dir.resolve("e.npy");
        Path model = Reference.file("clip_tiny_state_dict.pt");

        CliRun r = CliRun.of("embed", "--clip", model.toString(), "--image", png.toString(), "--out", out.toString(),
                "--device", "cpu");

        assertThat(r.code()).as(r.err()).isZero();
        float[] got = Npy.read(out).toFloatArray();
        float[] want;
        try (Clip clip = Clip.load(model, Device.cpu()); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            want = clip.encodeImage(clip.normalize(m.create(quantised, new Shape(1, 3, 32, 32))))
                    .normalize(2, -1, 1e-12).toFloatArray();
        }
        Reference.assertClose("embed --image (8-bit PNG)", want, got, 1e-5);
        // and it is the reference image's direction, up to the 8-bit rounding of the pixels
        float[] ref = Arrays.copyOfRange(Reference.floats("clip/image_features_normed.npy"), 0, 16);
        double cos = 0;
        for (int i = 0; i < 16; i++) {
            cos += ref[i] * got[i];
        }
        assertThat(cos).isGreaterThan(0.999);
    }

    @Test
    void aMissingModelFileIsNamed(@TempDir Path dir) {
        CliRun r = CliRun.of("embed", "--clip", dir.resolve("nowhere.pt").toString(), "--image",
                dir.resolve("x.png").toString(), "--out", dir.resolve("e.npy").toString(), "--device", "cpu");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("nowhere.pt");
        assertThat(Files.exists(dir.resolve("e.npy"))).isFalse();
    }

    @Test
    void textWithoutVocabIsAClearError(@TempDir Path dir) {
        CliRun r = CliRun.of("embed", "--clip", "m.pt", "--text", "hi", "--out", dir.resolve("e.npy").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--vocab");
    }

    @Test
    void textAndImageTogetherAreRefused(@TempDir Path dir) {
        CliRun r = CliRun.of("embed", "--clip", "m.pt", "--text", "hi", "--image", "a.png", "--out", "e.npy");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("mutually exclusive");
    }
}
