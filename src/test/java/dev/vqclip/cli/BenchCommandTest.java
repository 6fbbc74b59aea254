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

    @Test
    void benchStepPrintsEveryStageAndTheCpuTimeSplit() {
        // the bundled demo models: a real step, small enough for a test
        CliRun r = CliRun.of("bench", "step", "--size", "32x32", "--cutouts", "2", "--steps", "2", "--stages",
                "--device", "cpu");
        assertThat(r.code()).as(r.err()).isZero();
        for (String stage : java.util.List.of("decoder forward", "cutouts + augmentations", "CLIP forward + loss",
                "CLIP backward", "decoder backward", "Adam + read", "memory hand-back")) {
            assertThat(r.out()).containsPattern("stage " + java.util.regex.Pattern.quote(stage) + ": \\d+\\.\\d{3} s");
        }
        assertThat(r.out()).containsPattern("process CPU seconds per step: \\d+\\.\\d{3}");
        assertThat(r.out()).containsPattern("(?m)^seconds per step: \\d+\\.\\d{3}$");
    }
}
