package dev.vqclip.engine.run;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.SelfMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Run#selfMask}: the studio's "select by text" on the run's own models. Tiny reference models. */
class RunSelfMaskTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    @Test
    void scoresEveryLatentCellAndLeavesTheRunUntouched() {
        GenerationRequest r = GenerationRequest.defaults(List.of(new Prompt("a red apple"))).withSize(64, 48)
                .withCutouts(4).withSeed(3);
        try (Run run = Run.start(TINY.models(), r)) {
            run.step(false);
            RunSnapshot before = run.snapshot();
            SelfMask.HeatMap heat = run.selfMask("the apple");
            LatentGrid g = run.latentGrid();
            assertThat(heat.rows()).isEqualTo(g.rows());
            assertThat(heat.cols()).isEqualTo(g.cols());
            assertThat(heat.crops()).isPositive();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : heat.zscores()) {
                assertThat(Float.isFinite(v)).isTrue();
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertThat(max).as("the scores vary over the image").isGreaterThan(min);
            RunSnapshot after = run.snapshot();
            assertThat(after.z()).isEqualTo(before.z());
            assertThat(after.adamM()).isEqualTo(before.adamM());
            assertThat(after.step()).isEqualTo(before.step());
            // a second call on the same image gives the same scores
            assertThat(run.selfMask("the apple").zscores()).isEqualTo(heat.zscores());
        }
    }

    @Test
    void anEmptyPhraseIsAClearError() {
        GenerationRequest r = GenerationRequest.defaults(List.of(new Prompt("x"))).withSize(32, 32).withCutouts(2);
        try (Run run = Run.start(TINY.models(), r)) {
            assertThatThrownBy(() -> run.selfMask("  ")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("select");
        }
    }
}
