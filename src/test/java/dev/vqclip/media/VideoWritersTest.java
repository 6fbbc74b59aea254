package dev.vqclip.media;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.FrameSource;
import dev.vqclip.engine.image.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MP4 and GIF written in Java read back with their frame count, size and (within the codec's loss) pixels. */
class VideoWritersTest {
    /** A white square sliding right over a dark-blue background, one position per frame. */
    static Frame slide(int w, int h, int k) {
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = x >= 4 + 2 * k && x < 20 + 2 * k && y >= 20 && y < 36;
                px[y * w + x] = in ? 0xffffffff : 0xff102060;
            }
        }
        return new Frame(w, h, px);
    }

    static FrameSource slides(int w, int h, int n) {
        return FrameSource.of(n, index -> slide(w, h, index));
    }

    static double psnr(Frame a, Frame b) {
        double se = 0;
        for (int i = 0; i < a.argb().length; i++) {
            for (int s = 0; s <= 16; s += 8) {
                int d = ((a.argb()[i] >> s) & 0xff) - ((b.argb()[i] >> s) & 0xff);
                se += d * d;
            }
        }
        double mse = se / (3.0 * a.argb().length);
        return mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    @Test
    void mp4ReadsBackWithItsFramesSizeAndPixels(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("v.mp4");
        int[] reported = {0};
        Mp4Writer.write(out, slides(64, 48, 12), 12, n -> reported[0] = n);
        assertThat(reported[0]).isEqualTo(12);
        List<Frame> back = Mp4Reader.read(out);
        assertThat(back).hasSize(12);
        for (int k = 0; k < 12; k++) {
            assertThat(back.get(k).width()).isEqualTo(64);
            assertThat(back.get(k).height()).isEqualTo(48);
            assertThat(psnr(back.get(k), slide(64, 48, k))).as("PSNR of frame %d", k).isGreaterThan(28);
        }
        // and the frames are in order: frame 5 is closer to slide 5 than to slide 6
        assertThat(psnr(back.get(5), slide(64, 48, 5))).isGreaterThan(psnr(back.get(5), slide(64, 48, 6)));
        assertThat(dir.toFile().list()).containsExactly("v.mp4");
    }

    @Test
    void gifLoopsWithEveryFrame(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("v.gif");
        Images.writeGif(out, slides(64, 48, 6), 100, n -> { });
        try (ImageInputStream in = ImageIO.createImageInputStream(out.toFile())) {
            ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
            r.setInput(in);
            assertThat(r.getNumImages(true)).isEqualTo(6);
            assertThat(r.read(3).getWidth()).isEqualTo(64);
            assertThat(r.read(3).getRGB(4 + 6 + 1, 25) & 0xffffff).isEqualTo(0xffffff);
            assertThat(r.read(0).getRGB(4 + 6 + 12, 25) & 0xffffff).isNotEqualTo(0xffffff);
            String tree = new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(tree).contains("NETSCAPE2.0");
        }
    }

    @Test
    void impossibleVideosAreRefusedAndLeaveNothing(@TempDir Path dir) {
        Path out = dir.resolve("v.mp4");
        assertThatThrownBy(() -> Mp4Writer.write(out, slides(64, 48, 0), 12, n -> { }))
                .hasMessageContaining("at least one frame");
        assertThatThrownBy(() -> Mp4Writer.write(out, slides(64, 48, 3), 0, n -> { }))
                .hasMessageContaining("frame rate 0");
        FrameSource mixed = FrameSource.of(2, index -> index == 0 ? slide(64, 48, 0) : slide(48, 48, 0));
        assertThatThrownBy(() -> Mp4Writer.write(out, mixed, 12, n -> { }))
                .hasMessageContaining("frame 1 is 48x48 but the first frame is 64x48");
        assertThat(dir.toFile().list()).isEmpty();
    }
}
