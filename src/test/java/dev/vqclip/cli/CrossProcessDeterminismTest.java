package dev.vqclip.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same seed and settings give the same bytes in separate processes on the same machine: five {@code generate}
 * processes started together (so they compete for the cores, which is when a racing kernel shows) on the demo
 * models. On an AMD EPYC whose oneDNN convolution gradient raced, two different PNGs came out of four.
 */
class CrossProcessDeterminismTest {
    private static final int PROCESSES = 5;

    @Test
    void fiveProcessesWriteIdenticalPngs(@TempDir Path dir) throws Exception {
        List<Process> running = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            Path out = dir.resolve("o" + i + ".png");
            outs.add(out);
            List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-Dai.djl.offline=true", "-Dvqclip.cache=" + dir.resolve("empty-cache"), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "generate", "--prompt", "a red circle on a blue background", "--size", "64x64",
                    "--steps", "12", "--seed", "3", "--cutouts", "4", "--quiet", "--out", out.toString());
            running.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("log" + i + ".txt").toFile()).start());
        }
        for (int i = 0; i < PROCESSES; i++) {
            assertThat(running.get(i).waitFor(300, TimeUnit.SECONDS)).as("process %d finished", i).isTrue();
            assertThat(running.get(i).exitValue()).as("process %d: %s", i, log(dir, i)).isZero();
        }
        List<String> digests = new ArrayList<>();
        for (Path out : outs) {
            digests.add(sha256(out));
        }
        assertThat(digests).as("sha256 of the five PNGs").containsOnly(digests.get(0));
        // and the image is a real one, not a flat field (a NaN run once gave a flat blue square)
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(outs.get(0).toFile());
        assertThat(img.getWidth()).isEqualTo(64);
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours").isGreaterThan(16);
    }

    private static String log(Path dir, int i) {
        try {
            return Files.readString(dir.resolve("log" + i + ".txt"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
