package dev.vqclip.cli;

import dev.vqclip.engine.image.Png;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl+C during {@code vqclip generate} keeps what was made: the command stops after the step in progress, writes
 * the image at that step and the run beside it, says how to continue, and the run continues from there.
 */
class GenerateCtrlCTest {
    @Test
    @Timeout(300)
    void ctrlCKeepsTheImageAndTheRunToContinueFrom(@TempDir Path tmp) throws Exception {
        Path r = Reference.dir();
        List<String> models = List.of("--vqgan", r.resolve("vqgan_tiny.ckpt").toString(), "--config",
                r.resolve("vqgan_tiny.yaml").toString(), "--clip", r.resolve("clip_tiny_jit.pt").toString(),
                "--vocab", r.resolve("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--device", "cpu");
        Path out = tmp.resolve("img.png");
        Path frames = tmp.resolve("frames");
        List<String> args = new java.util.ArrayList<>(List.of("generate", "--prompt", "a red apple", "--size",
                "48x32", "--cutouts", "2", "--steps", "100000", "--save-every", "1", "--frames", frames.toString(),
                "--out", out.toString(), "--quiet"));
        args.addAll(models);
        CompletableFuture<CliRun> running = CompletableFuture.supplyAsync(() -> CliRun.of(args));
        // Ctrl+C once three steps are made
        while (!running.isDone() && count(frames) < 3) {
            Thread.sleep(20);
        }
        CtrlC.requestAll();
        CliRun run = running.get();
        assertThat(run.code()).as(run.err()).isEqualTo(130);
        Matcher m = Pattern.compile("interrupted at step (\\d+) of 100000; continue with: vqclip generate --resume "
                + Pattern.quote(tmp.resolve("img.vqrun").toString()) + " --steps 100000 --out "
                + Pattern.quote(out.toString())).matcher(run.err());
        assertThat(m.find()).as(run.err()).isTrue();
        int step = Integer.parseInt(m.group(1));
        assertThat(step).isBetween(3, 99_999);
        assertThat(Png.readText(out).get("vqclip.step")).isEqualTo(Integer.toString(step));
        assertThat(count(frames)).as("the frames made are kept").isEqualTo(step);

        List<String> resume = new java.util.ArrayList<>(List.of("generate", "--resume",
                tmp.resolve("img.vqrun").toString(), "--steps", Integer.toString(step + 2), "--out", out.toString(),
                "--quiet"));
        resume.addAll(models);
        CliRun more = CliRun.of(resume);
        assertThat(more.code()).as(more.err()).isZero();
        assertThat(Png.readText(out).get("vqclip.step")).isEqualTo(Integer.toString(step + 2));
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".png")).count();
        }
    }
}
