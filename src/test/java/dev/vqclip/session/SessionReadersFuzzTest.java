package dev.vqclip.session;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.testing.CraftedFiles;
import dev.vqclip.testing.MutationFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fuzz suite of the run, session and image readers (issue 21): a seeded mutation loop per reader from valid seeds
 * the test makes plus the crafted regression files (NaN run, beta1 = 2^31 run, session bomb, a PNG whose header
 * claims 100000x100000). Each case loads or throws the reader's own exception naming the file; nothing else, no
 * Error, no case past its time bound.
 */
class SessionReadersFuzzTest {
    @TempDir
    Path tmp;

    private Path work() throws IOException {
        return Files.createDirectories(tmp.resolve("work"));
    }

    @Test
    void runFiles() throws Exception {
        RunSnapshot s = CraftedFiles.smallSnapshot(12);
        float[] mask = new float[64];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 3 == 0 ? 1f : 0f;
        }
        Path full = tmp.resolve("full.vqrun");
        RunFile.write(full, new RunSnapshot(s.request(), 12, s.shape(), s.z(), s.adamM(), s.adamV(),
                new LatentMask(8, 8, mask), s.z().clone()), Map.of("vqgan.ckpt", "ab12"));
        assertThat(RunFile.read(full).snapshot().mask()).isNotNull();
        List<Path> seeds = List.of(full, CraftedFiles.nanRun(tmp.resolve("nan.vqrun")),
                CraftedFiles.runWithSetting(tmp.resolve("beta.vqrun"), "beta1", 2147483648L));
        int n = new MutationFuzzer("vqrun", seeds, RunFile::read, MutationFuzzer.namedBy(IOException.class), work(),
                2112L).run(800);
        assertThat(n).isPositive();
    }

    @Test
    void sessionFiles() throws Exception {
        RunSnapshot s = CraftedFiles.smallSnapshot(10);
        Frame paint = CraftedFiles.smallFrame(7);
        float[] mv = new float[64 * 64];
        for (int i = 0; i < mv.length; i++) {
            mv[i] = (i % 64) < 32 ? 1f : 0f;
        }
        PixelMask pm = new PixelMask(64, 64, mv);
        List<HistoryEntry> h = new ArrayList<>();
        h.add(new HistoryEntry("h1", null, "b1", 10, null, 1000L, s, CraftedFiles.smallFrame(1),
                new Layers(paint, pm)));
        h.add(new HistoryEntry("h2", "h1", "b2", 20, "paused at 20", 2000L, CraftedFiles.smallSnapshot(20),
                CraftedFiles.smallFrame(2), new Layers(paint, null)));
        Path full = tmp.resolve("full.vqsession");
        SessionStore.save(full, new SessionData(s.request(), List.of(new SessionData.PromptRow("a red circle", 1.0,
                0.4)), s, CraftedFiles.smallFrame(0), h, "b2", paint, pm, Map.of("engine", "fuzz")));
        assertThat(SessionStore.load(full).data().history()).hasSize(2);
        List<Path> seeds = List.of(full, CraftedFiles.smallSession(tmp.resolve("small.vqsession"), 3),
                CraftedFiles.sessionBomb(tmp.resolve("bomb.vqsession")));
        int n = new MutationFuzzer("vqsession", seeds, SessionStore::load, MutationFuzzer.namedBy(IOException.class),
                work(), 2112L).run(400);
        assertThat(n).isPositive();
    }

    @Test
    void imageImport() throws Exception {
        List<Path> seeds = new ArrayList<>();
        Path png = tmp.resolve("paint.png");
        Png.write(png, CraftedFiles.smallFrame(9), Map.of("prompt", "a red circle"));
        seeds.add(png);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(24, 16,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 24; x++) {
                img.setRGB(x, y, x * 10 << 16 | y * 15 << 8 | 77);
            }
        }
        for (String format : new String[] {"jpg", "bmp", "gif"}) {
            Path f = tmp.resolve("image." + format);
            assertThat(ImageIO.write(img, format, f.toFile())).isTrue();
            seeds.add(f);
        }
        Path huge = tmp.resolve("huge.png");
        hugeHeaderPng(huge, 100_000, 100_000);
        seeds.add(huge);
        int n = new MutationFuzzer("image import", seeds, dev.vqclip.engine.image.Images::read,
                MutationFuzzer.namedBy(IllegalArgumentException.class), work(), 2112L).run(500);
        int m = new MutationFuzzer("image decode (studio)", seeds,
                f -> Images.decode(Files.readAllBytes(f), f.toString()), MutationFuzzer.namedBy(IOException.class),
                work(), 2113L).run(300);
        assertThat(n + m).isPositive();
    }

    @Test
    void aPngWhoseHeaderClaimsTenBillionPixelsIsRefusedBeforeDecoding() throws Exception {
        Path huge = tmp.resolve("huge.png");
        hugeHeaderPng(huge, 100_000, 100_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.vqclip.engine.image.Images.read(huge))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(huge.toString())
                .hasMessageContaining("100000x100000").hasMessageContaining("refused before decoding");
    }

    /** A PNG whose IHDR says {@code w × h} with one short row of pixel data. */
    static void hugeHeaderPng(Path file, int w, int h) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            CraftedFiles.pngChunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                    .put((byte) 0).put((byte) 0).put((byte) 0).array());
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
                z.write(new byte[1 + 3 * 16]);
            }
            CraftedFiles.pngChunk(out, "IDAT", idat.toByteArray());
            CraftedFiles.pngChunk(out, "IEND", new byte[0]);
        }
    }
}
