package dev.vqclip.cli;

import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class TokenizeCommandTest {
    private static final String[] PROMPTS = {"a red apple", "an astronaut in the style of van Gogh",
        "Baba Yaga's house + fantasy art", "the Tower of Babel by J.M.W. Turner"};

    @Test
    void printsClipTokenizeLinesForTheFourReferencePrompts() {
        Path vocab = Reference.file("clip/bpe_simple_vocab_16e6.txt.gz");
        long[] expected = Reference.longs("clip/text_tokens.npy");
        String[] args = new String[PROMPTS.length + 3];
        args[0] = "tokenize";
        args[1] = "--vocab";
        args[2] = vocab.toString();
        System.arraycopy(PROMPTS, 0, args, 3, PROMPTS.length);

        CliRun r = CliRun.of(args);

        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().split("\\R");
        assertThat(lines).hasSize(4);
        for (int p = 0; p < 4; p++) {
            String want = Arrays.stream(Arrays.copyOfRange(expected, p * 77, p * 77 + 77))
                    .mapToObj(Long::toString).collect(Collectors.joining(" "));
            assertThat(lines[p]).as("line for %s", PROMPTS[p]).isEqualTo(want);
        }
    }

    @Test
    void helpDescribesTheCommand() {
        assertThat(CliRun.outputOf("tokenize", "--help")).contains("--vocab").contains("TEXT").contains("clip.tokenize");
    }

    @Test
    void missingVocabIsAClearError() {
        CliRun r = CliRun.of("tokenize", "a red apple");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--vocab");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unreadableVocabNamesTheFile(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("not-a-vocab.txt.gz");
        Files.writeString(bad, "plain text, not gzip");
        CliRun r = CliRun.of("tokenize", "--vocab", bad.toString(), "a red apple");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not-a-vocab.txt.gz").contains("gzip");

        CliRun missing = CliRun.of("tokenize", "--vocab", dir.resolve("absent.gz").toString(), "x");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("absent.gz").contains("not found");
    }
}
