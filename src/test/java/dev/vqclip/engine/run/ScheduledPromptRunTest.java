package dev.vqclip.engine.run;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.guide.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A scheduled prompt is active exactly in its span: the targets each real step uses, step by step. */
class ScheduledPromptRunTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    @Test
    void eachStepUsesExactlyThePromptsWhoseSpanCoversIt() {
        List<Prompt> story = PromptParser.parse("a red apple:0-3 | a green pear:2:3-6 | a bowl:-0.5:2-");
        GenerationRequest r = GenerationRequest.defaults(story).withSize(64, 48).withCutouts(2).withSeed(3);
        double[][] expected = {
            {1, 0, 0}, {1, 0, 0}, {1, 0, -0.5}, {0, 2, -0.5}, {0, 2, -0.5}, {0, 2, -0.5}, {0, 0, -0.5}, {0, 0, -0.5}};
        try (Run run = Run.start(TINY.models(), r)) {
            for (int k = 0; k < expected.length; k++) {
                List<Target> used = run.targetsAt(run.stepCount());
                assertThat(used).extracting(Target::weight).as("weights step %d uses", k + 1)
                        .containsExactly(expected[k][0], expected[k][1], expected[k][2]);
                StepEvent e = run.step(false);
                assertThat(e.step()).isEqualTo(k + 1);
                for (int i = 0; i < 3; i++) {
                    if (expected[k][i] == 0) {
                        assertThat(e.promptLosses().get(i)).as("loss of prompt %d at step %d", i + 1, k + 1)
                                .isEqualTo(0.0);
                    } else {
                        assertThat(e.promptLosses().get(i)).as("loss of prompt %d at step %d", i + 1, k + 1)
                                .isNotEqualTo(0.0);
                    }
                }
            }
        }
    }

    @Test
    void aPromptWithoutASpanIsTheSameTargetAtEveryStep() {
        GenerationRequest r = GenerationRequest.defaults(List.of(new Prompt("a red apple")))
                .withSize(64, 48).withCutouts(2);
        try (Run run = Run.start(TINY.models(), r)) {
            Target t = run.targetsAt(0).get(0);
            // the unscheduled path hands the step the very same target: results are bit-identical to before
            assertThat(run.targetsAt(12_345).get(0)).isSameAs(t);
        }
    }
}
