package dev.vqclip.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ReconstructCommandTest {
    @Test
    void reconstructsAPngEndToEndAndSaysWhenItCrops(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(34, 33, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(5);
        for (int y = 0; y < 33; y++) {
            for (int x = 0; x < 34; x++) {
                img.setRGB(x, y, (x * 7) << 16 | (y * 7) << 8 | r.nextInt(256));
            }
        }
        Path in = dir.resolve("in.png");
        Path out = dir.resolve("out.png");
        ImageIO.write(img, "png", in.toFile());
        Path ckpt = Reference.file("vqgan_tiny.ckpt");
        Path yaml = Reference.file("vqgan_tiny.yaml");
        CliRun run = CliRun.of("reconstruct", "--vqgan", ckpt.toString(), "--config", yaml.toString(), "--device", "cpu",
                in.toString(), out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("centre-cropped to 32×32").contains("8×8 tokens");
        BufferedImage result = ImageIO.read(out.toFile());
        assertThat(result.getWidth()).isEqualTo(32);
        assertThat(result.getHeight()).isEqualTo(32);

        // the same pipeline through the engine API on the same crop gives the same pixels
        BufferedImage crop = img.getSubimage(1, 0, 32, 32);
        try (Vqgan vq = Vqgan.load(ckpt, yaml, Device.cpu()); NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(ReconstructCommand.toPlanes(crop), new Shape(1, 3, 32, 32));
            float[] y = vq.decode(vq.quantizeEncoded(vq.encode(x)).zq()).toFloatArray();
            BufferedImage want = ReconstructCommand.fromPlanes(y, 32, 32);
            for (int py = 0; py < 32; py++) {
                for (int px = 0; px < 32; px++) {
                    assertThat(result.getRGB(px, py)).isEqualTo(want.getRGB(px, py));
                }
            }
        }
    }

    @Test
    void scalesLargeImagesDownAndSaysSo(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("big.png");
        Path out = dir.resolve("small.png");
        ImageIO.write(new BufferedImage(90, 45, BufferedImage.TYPE_INT_RGB), "png", in.toFile());
        CliRun run = CliRun.of("reconstruct", "--vqgan", Reference.file("vqgan_tiny.ckpt").toString(), "--config",
                Reference.file("vqgan_tiny.yaml").toString(), "--device", "cpu", "--max-size", "42", in.toString(),
                out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("scaled down to 42×21").contains("centre-cropped to 40×20")
                .contains("40×20 px");
        BufferedImage result = ImageIO.read(out.toFile());
        assertThat(result.getWidth()).isEqualTo(40);
        assertThat(result.getHeight()).isEqualTo(20);
    }

    @Test
    void pixelConversionMapsTheRangeAndClamps() {
        assertThat(ReconstructCommand.channel(-1f)).isZero();
        assertThat(ReconstructCommand.channel(1f)).isEqualTo(255);
        assertThat(ReconstructCommand.channel(-1.7f)).isZero();
        assertThat(ReconstructCommand.channel(3f)).isEqualTo(255);
        assertThat(ReconstructCommand.channel(Float.NaN)).isZero();
        assertThat(ReconstructCommand.channel(0f)).isEqualTo(128); // 127.5 rounds up
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        one.setRGB(0, 0, 0x00ff8000);
        float[] planes = ReconstructCommand.toPlanes(one);
        assertThat(planes).containsExactly(1f, 128 / 127.5f - 1f, -1f);
        assertThat(ReconstructCommand.fromPlanes(planes, 1, 1).getRGB(0, 0) & 0xffffff).isEqualTo(0xff8000);
    }

    @Test
    void nonImageInputGivesAClearError(@TempDir Path dir) throws IOException {
        Path notImage = dir.resolve("notes.png");
        Files.writeString(notImage, "this is text, not a picture");
        CliRun run = CliRun.of("reconstruct", "--vqgan", Reference.file("vqgan_tiny.ckpt").toString(), "--config",
                Reference.file("vqgan_tiny.yaml").toString(), "--device", "cpu", notImage.toString(),
                dir.resolve("o.png").toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("notes.png").contains("not an image");
        assertThat(dir.resolve("o.png")).doesNotExist();
    }

    @Test
    void helpDescribesTheCommands() {
        CliRun run = CliRun.of("reconstruct", "--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("--vqgan").contains("--config").contains("--device");
        CliRun bench = CliRun.of("bench", "decode", "--help");
        assertThat(bench.code()).isZero();
        assertThat(bench.out()).contains("--random-weights").contains("--size").contains("--iterations");
    }

    @Test
    void benchDecodeTimesATinyModel() {
        CliRun run = CliRun.of("bench", "decode", "--config", Reference.file("vqgan_tiny.yaml").toString(), "--random-weights",
                "--size", "32x24", "--iterations", "1", "--warmup", "0", "--device", "cpu");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("latent 8×6").contains("decode:").contains("backward:").contains("ms per");
        CliRun bad = CliRun.of("bench", "decode", "--config", "vqgan_imagenet_f16_16384", "--random-weights", "--size",
                "250x256");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("multiples").contains("16");
    }
}
