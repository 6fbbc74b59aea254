package dev.vqclip.cli;

import dev.vqclip.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vqclip reconstruct} killed (SIGKILL) at random moments, 20 times: its output is always absent (if it was
 * absent before), the old file, or the complete result (decodable, and pixel for pixel what an uncut run wrote). The
 * temporaries the kills leave are removed by the next write of that output.
 *
 * <p>Economy: a child JVM that runs the real command costs its model load (seconds), so {@value #COMMAND_KILLS} kills
 * hit children running the command (at a random moment around the time an uncut run needs, after which the child
 * keeps rewriting its output so a late kill still lands in a write); the other kills hit children that only rewrite
 * the result in a loop through the command's own writer, killed a random 0-300 ms after they start writing, so that
 * nearly every kill lands inside a write. The seed is printed; {@code -Dvqclip.killSeed=N} repeats a run.
 */
class ReconstructKillTest {
    private static final int KILLS = 20;
    private static final int COMMAND_KILLS = 3;

    @Test
    @Timeout(600)
    void killedAtRandomMomentsTheOutputIsAbsentOldOrComplete(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("vqclip.killSeed", System.nanoTime());
        Random rnd = new Random(seed);
        Path in = dir.resolve("in.png");
        ImageIO.write(picture(128, 112), "png", in.toFile());
        Path demo = Path.of("assets", "models", "demo").toAbsolutePath();
        List<String> command = List.of("reconstruct", "--vqgan", demo.resolve("vqgan.safetensors").toString(),
                "--config", demo.resolve("vqgan.yaml").toString(), "--device", "cpu", in.toString());

        // an uncut run: the complete output, and how long the command takes here
        Path ref = dir.resolve("ref.png");
        long t0 = System.nanoTime();
        try (ChildJvm c = ChildJvm.start(ReconstructKillChild.class, List.of("-Dloops=0"),
                concat("command", command, ref.toString()), dir)) {
            c.await("done", 300_000);
            assertThat(c.waitFor(60_000)).as(c.output()).isZero();
        }
        long uncutMillis = (System.nanoTime() - t0) / 1_000_000;
        BufferedImage want = ImageIO.read(ref.toFile());
        assertThat(want.getWidth()).isEqualTo(128);
        byte[] old = Files.readAllBytes(in); // a different, valid PNG standing for the previous output

        Path out = dir.resolve("out.png");
        int absent = 0;
        int kept = 0;
        int complete = 0;
        int midWrite = 0;
        for (int round = 0; round < KILLS; round++) {
            // start from no file, an old file, or what the previous round left
            if (round % 3 == 0) {
                Files.deleteIfExists(out);
            } else if (round % 3 == 1) {
                Files.write(out, old);
            }
            byte[] before = Files.exists(out) ? Files.readAllBytes(out) : null;
            if (round < COMMAND_KILLS) {
                long delay = (long) (uncutMillis * (0.6 + 0.6 * rnd.nextDouble()));
                try (ChildJvm c = ChildJvm.start(ReconstructKillChild.class, List.of("-Dloops=1000000"),
                        concat("command", command, out.toString()), dir)) {
                    Thread.sleep(delay);
                    c.kill();
                }
            } else {
                try (ChildJvm c = ChildJvm.start(ReconstructKillChild.class, List.of(),
                        List.of("loop", ref.toString(), out.toString()), dir)) {
                    c.await("ready", 60_000);
                    Thread.sleep(rnd.nextInt(300));
                    c.kill();
                }
            }
            int temporaries = temporaries(dir, "out.png").size();
            midWrite += temporaries > 0 ? 1 : 0;
            String what = "round " + round + " (seed " + seed + ")";
            if (!Files.exists(out)) {
                assertThat(before).as(what + ": the output vanished although a file was there").isNull();
                absent++;
                continue;
            }
            byte[] now = Files.readAllBytes(out);
            if (before != null && Arrays.equals(now, before)) {
                kept++;
                continue;
            }
            BufferedImage got;
            try {
                got = ImageIO.read(new ByteArrayInputStream(now));
            } catch (IOException e) {
                throw new AssertionError(what + ": the output (" + now.length + " bytes) does not decode: " + e, e);
            }
            assertThat(got).as(what + ": the output (" + now.length + " bytes) is not an image").isNotNull();
            assertSamePixels(what, want, got);
            complete++;
        }
        System.out.printf("reconstruct killed %d times (seed %d; %d while running the command, uncut run %d ms): "
                        + "%d absent, %d old, %d complete; %d kills left a temporary (landed mid-write)%n", KILLS,
                seed, COMMAND_KILLS, uncutMillis, absent, kept, complete, midWrite);
        assertThat(absent + kept + complete).isEqualTo(KILLS);

        // the next write removes what the kills left behind
        ReconstructCommand.write(want, out);
        assertThat(temporaries(dir, "out.png")).as("temporaries after the next write").isEmpty();
        assertSamePixels("after the next write", want, ImageIO.read(out.toFile()));
    }

    static List<Path> temporaries(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + name + "-")).toList();
        }
    }

    private static void assertSamePixels(String what, BufferedImage want, BufferedImage got) {
        assertThat(got.getWidth()).as(what + ": width").isEqualTo(want.getWidth());
        assertThat(got.getHeight()).as(what + ": height").isEqualTo(want.getHeight());
        int[] a = want.getRGB(0, 0, want.getWidth(), want.getHeight(), null, 0, want.getWidth());
        int[] b = got.getRGB(0, 0, got.getWidth(), got.getHeight(), null, 0, got.getWidth());
        assertThat(b).as(what + ": pixels").isEqualTo(a);
    }

    private static BufferedImage picture(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | r.nextInt(256));
            }
        }
        return img;
    }

    private static List<String> concat(String first, List<String> middle, String last) {
        return Stream.concat(Stream.concat(Stream.of(first), middle.stream()), Stream.of(last)).toList();
    }
}
