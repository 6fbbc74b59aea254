package dev.vqclip.cli;

import dev.vqclip.session.SessionStore;
import dev.vqclip.testing.CraftedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vqclip session info} and {@code vqclip session export}, and the session bomb from the command line. */
class SessionCommandTest {
    @TempDir
    Path dir;

    @Test
    void infoPrintsWhatTheSessionHolds() throws Exception {
        Path file = CraftedFiles.smallSession(dir.resolve("s.vqsession"), 3);
        CliRun r = CliRun.succeeding("session", "info", file.toString());
        assertThat(r.out()).contains(file + ": vqclip-session")
                .contains("size: 64x64, steps 400, seed 0, cutouts 32, lr 0.15, init RANDOM_CODES")
                .contains("\"a red circle\" weight 1.0")
                .contains("engine: test")
                .contains("current run: step 10 of 400, latent [1, 4, 8, 8]")
                .contains("canvas: 64x64, paint layer none, mask layer none")
                .contains("history: 3 entries on 1 branch (current branch b1)")
                .containsPattern("h2\\s+b1\\s+step 20\\s+64x64\\s+layers not recorded\\s+\\(after h1\\)")
                .containsPattern("bytes: " + Files.size(file) + " in the file, \\d+ zip entries holding \\d+");
    }

    @Test
    void exportWritesTheCanvasOrAnEntryAtomically() throws Exception {
        Path file = CraftedFiles.smallSession(dir.resolve("s.vqsession"), 3);
        Path png = dir.resolve("out.png");
        CliRun r = CliRun.succeeding("session", "export", file.toString(), "--out", png.toString());
        assertThat(r.out()).contains("wrote " + png + " (64x64, the canvas)");
        assertThat(dev.vqclip.engine.image.Images.read(png).argb()).containsOnly(0xff000000);

        r = CliRun.succeeding("session", "export", file.toString(), "--entry", "h2", "--out", png.toString());
        assertThat(r.out()).contains("history entry h2 (step 20)");
        assertThat(dev.vqclip.engine.image.Images.read(png).argb()).containsOnly(0xff000000 | 2 * 0x010203);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("s.vqsession",
                    "out.png");
        }
    }

    @Test
    void exportOfAnUnknownEntryListsTheEntriesAndWritesNothing() throws Exception {
        Path file = CraftedFiles.smallSession(dir.resolve("s.vqsession"), 2);
        Path png = dir.resolve("out.png");
        CliRun r = CliRun.of("session", "export", file.toString(), "--entry", "h9", "--out", png.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("has no history entry 'h9' (it has: h1, h2)");
        assertThat(png).doesNotExist();
    }

    @Test
    void infoOnTheSessionBombGivesAClearErrorAtOnce() throws Exception {
        Path bomb = CraftedFiles.sessionBomb(dir.resolve("bomb.vqsession"));
        long t0 = System.nanoTime();
        CliRun r = CliRun.of("session", "info", bomb.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + bomb + " history entry 'h1' big.png: image of 8192x8192 pixels is "
                + "larger than the limit 512x512 (refused before decoding)");
        assertThat(ms).as("refused from the header, not after decoding").isLessThan(5_000);
    }

    /**
     * The bomb in a child JVM with the default heap (no -Xmx: a quarter of the machine's memory): a clear error, and
     * the process's peak resident memory stays under 1 GiB (decoding the entries would need 40 × 256 MiB).
     */
    @Test
    void theSessionBombStaysUnderOneGigabyteInAFreshJvmWithTheDefaultHeap() throws Exception {
        Path bomb = CraftedFiles.sessionBomb(dir.resolve("bomb.vqsession"));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                PeakMemoryMain.class.getName(), "session", "info", bomb.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("err.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(err).isEqualTo(1);
        assertThat(err).contains("error: " + bomb).contains("8192x8192").contains("refused before decoding");
        Matcher m = Pattern.compile("peak-rss-bytes=(-?\\d+)").matcher(err);
        assertThat(m.find()).as(err).isTrue();
        long peak = Long.parseLong(m.group(1));
        System.out.printf("session bomb in a child JVM (default heap): peak RSS %.0f MiB%n", peak / 1048576.0);
        if (new File("/proc/self/status").exists()) {
            assertThat(peak).isPositive().isLessThan(1L << 30);
        }
    }

    @Test
    void sessionWithoutASubcommandSaysWhatToName() {
        CliRun r = CliRun.of("session");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("name a subcommand: info FILE, export FILE --out IMAGE.png or timelapse FILE "
                + "--out VIDEO.mp4");
    }

    @Test
    void aMissingFileIsNamed() {
        CliRun r = CliRun.of("session", "info", dir.resolve("none" + SessionStore.EXTENSION).toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("none.vqsession");
    }
}
