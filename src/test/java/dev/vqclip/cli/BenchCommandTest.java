package dev.vqclip.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandTest {
    @Test
    void anUnknownModelNameListsTheKnownOnes() {
        CliRun r = CliRun.of("bench", "clip", "--random-weights", "RN50", "--device", "cpu");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("RN50").contains("ViT-B/32");
    }
}
