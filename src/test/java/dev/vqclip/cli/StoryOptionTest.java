package dev.vqclip.cli;

import dev.vqclip.engine.image.Png;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** generate --story: a prompt schedule from the command line, kept in the image's metadata. */
class StoryOptionTest {
    @Test
    void aStoryRunsAndIsRecordedWithItsSpans(@TempDir Path tmp) throws Exception {
        Path r = Reference.dir();
        Path out = tmp.resolve("s.png");
        CliRun run = CliRun.of("generate", "--story", "a red apple:0-4~1 | a green pear:2:4- | blurry:-0.5",
                "--steps", "8", "--size", "48x32", "--cutouts", "2", "--quiet", "--out", out.toString(),
                "--vqgan", r.resolve("vqgan_tiny.ckpt").toString(), "--config", r.resolve("vqgan_tiny.yaml").toString(),
                "--clip", r.resolve("clip_tiny_jit.pt").toString(), "--vocab",
                r.resolve("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--device", "cpu");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(Png.readText(out).get("vqclip.prompts"))
                .isEqualTo("a red apple:1:0-4~1 | a green pear:2:4- | blurry:-0.5");
        CliRun bad = CliRun.of("generate", "--story", "a:5-2", "--out", tmp.resolve("b.png").toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("prompt \"a:5-2\": a prompt's span must end after it starts, got 5-2");
    }
}
