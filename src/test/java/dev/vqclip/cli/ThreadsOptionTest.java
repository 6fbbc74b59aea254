package dev.vqclip.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vqclip --threads N COMMAND}: checked before the command runs, and applied before libtorch loads. */
class ThreadsOptionTest {
    private static final String VOCAB = Path.of("assets", "models", "demo", "bpe.txt.gz").toString();

    @Test
    void aThreadCountBelowOneIsRefusedWithItsReason() {
        CliRun r = CliRun.of("--threads", "0", "tokenize", "--vocab", VOCAB, "a red apple");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--threads 0: must be at least 1");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theCountReachesTheEngineSettingBeforeTheCommandRuns() {
        CliRun r = CliRun.of("--threads", "1", "tokenize", "--vocab", VOCAB, "a red apple");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo("1");
        assertThat(r.out().trim().split(" ")).hasSize(77);
    }
}
