package dev.vqclip.engine.clip;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Resize + centre crop as clip.load's transform does it. */
class ClipImagesTest {
    /** @return a {@code w × h} RGB image, black left of column {@code x0} and {@code colour} from it on */
    private static BufferedImage rgb(int w, int h, int x0, int colour) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = x0; x < w; x++) {
                img.setRGB(x, y, colour);
            }
        }
        return img;
    }

    @Test
    void aFlatImageStaysFlat() {
        BufferedImage img = rgb(50, 37, 0, 0x336699);
        float[] out = ClipImages.preprocess(img, 16);
        assertThat(out).hasSize(3 * 16 * 16);
        assertThat(out[0]).isCloseTo(0x33 / 255f, Offset.offset(1e-6f));
        assertThat(out[16 * 16 + 100]).isCloseTo(0x66 / 255f, Offset.offset(1e-6f));
        assertThat(out[3 * 16 * 16 - 1]).isCloseTo(0x99 / 255f, Offset.offset(1e-6f));
    }

    @Test
    void downscalingAveragesFineDetailInsteadOfAliasing() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, ((x + y) & 1) == 0 ? 0xffffff : 0);
            }
        }
        float[] out = ClipImages.preprocess(img, 8);
        for (int i = 9; i < 8 * 8 - 9; i++) { // interior pixels of the red plane
            assertThat(out[i]).isCloseTo(0.5f, Offset.offset(0.02f));
        }
    }

    @Test
    void aRampIsResampledExactlyInTheInterior() {
        int w = 64;
        float[] ramp = new float[w];
        for (int x = 0; x < w; x++) {
            ramp[x] = x;
        }
        float[] half = ClipImages.resample(ramp, w, 1, 32, true);
        for (int i = 4; i < 28; i++) { // away from the borders, where the kernel is cut off
            assertThat(half[i]).isCloseTo(2 * i + 0.5f, Offset.offset(1e-4f));
        }
    }

    @Test
    void theShorterSideIsFittedAndTheCentreKept() {
        BufferedImage img = rgb(64, 32, 32, 0xffffff);
        float[] out = ClipImages.preprocess(img, 32); // height fits already; columns 16..47 are kept
        assertThat(out[5 * 32]).isCloseTo(0f, Offset.offset(1e-6f));
        assertThat(out[5 * 32 + 15]).isCloseTo(0f, Offset.offset(1e-6f));
        assertThat(out[5 * 32 + 16]).isCloseTo(1f, Offset.offset(1e-6f));
        assertThat(out[5 * 32 + 31]).isCloseTo(1f, Offset.offset(1e-6f));
    }

    @Test
    void aFileThatIsNotAnImageIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("notes.png");
        Files.writeString(f, "hello");
        assertThatThrownBy(() -> ClipImages.read(f)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("notes.png");
        assertThatThrownBy(() -> ClipImages.read(dir.resolve("missing.png"))).hasMessageContaining("missing.png");
    }
}
