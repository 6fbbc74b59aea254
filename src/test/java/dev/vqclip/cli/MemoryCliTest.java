package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.run.MemoryCheck;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.run.RunTestHooks;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** generate refuses a run that does not fit before it starts, and keeps a run that ran out of memory mid-way. */
class MemoryCliTest {
    @AfterEach
    void reset() {
        RunTestHooks.reset();
    }

    private static List<String> models() {
        Path r = Reference.dir();
        return List.of("--vqgan", r.resolve("vqgan_tiny.ckpt").toString(), "--config",
                r.resolve("vqgan_tiny.yaml").toString(), "--clip", r.resolve("clip_tiny_jit.pt").toString(), "--vocab",
                r.resolve("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--device", "cpu");
    }

    private static CliRun run(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(models());
        return CliRun.of(all);
    }

    @Test
    void aRunThatDoesNotFitIsRefusedBeforeItStartsWithTheLargestThatFits(@TempDir Path tmp) throws Exception {
        Path r = Reference.dir();
        MemoryCheck expected;
        long limit;
        try (RunModels m = RunModels.load(r.resolve("vqgan_tiny.ckpt"), r.resolve("vqgan_tiny.yaml"),
                r.resolve("clip_tiny_jit.pt"), r.resolve("clip/bpe_simple_vocab_16e6.txt.gz"), Device.cpu(), "tiny",
                false, (f, s) -> { })) {
            long small = MemoryCheck.forModels(m, 64, 64, 4, -1).estimate().totalBytes();
            long big = MemoryCheck.forModels(m, 512, 512, 16, -1).estimate().totalBytes();
            limit = (small + big) / 2;
            expected = MemoryCheck.forModels(m, 512, 512, 16, limit);
        }
        assertThat(expected.fits()).isFalse();
        Path out = tmp.resolve("x.png");
        CliRun c = run("generate", "--prompt", "a red apple", "--size", "512x512", "--cutouts", "16", "--steps", "3",
                "--out", out.toString(), "--memory-limit", Long.toString(limit), "--quiet");
        assertThat(c.code()).isNotZero();
        assertThat(c.err()).contains("not enough memory: 512x512 with 16 cutouts needs about")
                .contains(expected.advice()).contains("(the memory limit)").contains("raise --memory-limit");
        assertThat(expected.advice()).contains("lower the size to");
        assertThat(out).doesNotExist();
        CliRun bad = run("generate", "--prompt", "a red apple", "--size", "64x64", "--out", out.toString(),
                "--memory-limit", "lots");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--memory-limit").contains("'lots'");
    }

    @Test
    void anOutOfMemoryErrorMidRunSavesTheRunAndSaysHowToGoOn(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("x.png");
        RunTestHooks.outOfMemoryFrom(3);
        CliRun c = run("generate", "--prompt", "a red apple", "--size", "48x32", "--cutouts", "4", "--steps", "5",
                "--out", out.toString(), "--quiet");
        RunTestHooks.reset();
        assertThat(c.code()).isNotZero();
        Path saved = tmp.resolve("x.vqrun");
        assertThat(c.err()).contains("step 3 ran out of memory on the CPU").contains("DefaultCPUAllocator")
                .contains("Saved the run at step 2 to " + saved).contains("--resume " + saved);
        assertThat(out).doesNotExist();
        assertThat(saved).exists();
        CliRun resumed = run("generate", "--resume", saved.toString(), "--steps", "5", "--cutouts", "2", "--out",
                out.toString(), "--quiet");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.exists(out)).isTrue();
        assertThat(dev.vqclip.engine.image.Png.readText(out).get("vqclip.settings")).contains("cutouts=2");
    }
}
