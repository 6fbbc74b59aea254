package dev.vqclip.engine.run;

import ai.djl.Device;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.ClipConfig;
import dev.vqclip.engine.guide.PromptParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * CLIP ensembles: a run guided by several CLIPs has, at every step from the same z, the weighted sum of the losses
 * the CLIPs give alone (each sees the cutouts it would see alone), and its gradient moves z differently from
 * either CLIP alone.
 */
class EnsembleRunTest {
    private static RunModels tiny;
    private static Clip other;
    private static Clip larger;

    @BeforeAll
    static void load() {
        tiny = TinyModels.load();
        ClipConfig c = tiny.clip().config();
        other = Clip.randomWeights(c, Device.cpu(), 11);
        // the same model shape at twice the input resolution: its own cutout batch
        larger = Clip.randomWeights(new ClipConfig(c.embedDim(), c.imageResolution() * 2, c.visionLayers(),
                c.visionWidth(), c.visionHeads(), c.visionPatchSize(), c.contextLength(), c.vocabSize(), c.textWidth(),
                c.textHeads(), c.textLayers()), Device.cpu(), 12);
    }

    @AfterAll
    static void free() {
        other.close();
        larger.close();
        tiny.close();
    }

    private static GenerationRequest request() {
        return GenerationRequest.defaults(PromptParser.parse("a red apple | rain:-0.5"))
                .withSize(64, 48).withCutouts(4).withSeed(7);
    }

    /** Models sharing the tiny VQGAN and tokenizer; never closed (the test class owns the parts). */
    private static RunModels alone(Clip clip) {
        return new RunModels(tiny.vqgan(), clip, tiny.tokenizer(), Device.cpu(), "alone", false);
    }

    private static RunModels ensemble(double w0, Clip second, double w1) {
        return new RunModels(tiny.vqgan(), tiny.clip(), tiny.tokenizer(), Device.cpu(), "ensemble", false, w0,
                List.of(new ClipGuide(second, tiny.tokenizer(), w1, "second")));
    }

    private static StepEvent firstStep(RunModels models) {
        Run run = Run.start(models, request());
        try {
            return run.step(false);
        } finally {
            run.close();
        }
    }

    @Test
    void lossIsTheWeightedSumOfEachClipsLossAloneAtOneResolution() {
        assertWeightedSum(other);
    }

    @Test
    void lossIsTheWeightedSumOfEachClipsLossAloneAtTwoResolutions() {
        assertWeightedSum(larger);
    }

    private static void assertWeightedSum(Clip second) {
        StepEvent a = firstStep(alone(tiny.clip()));
        StepEvent b = firstStep(alone(second));
        StepEvent both = firstStep(ensemble(1.0, second, 0.5));
        assertThat(both.promptLosses()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            double expected = a.promptLosses().get(i) + 0.5 * b.promptLosses().get(i);
            assertThat(both.promptLosses().get(i)).as("prompt %d", i)
                    .isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
        }
        assertThat(both.l2Loss()).isEqualTo(a.l2Loss());
        assertThat(both.totalLoss()).isCloseTo(a.totalLoss() + 0.5 * b.totalLoss() - 0.5 * b.l2Loss(),
                within(1e-5));
        // the losses of the two CLIPs differ, so the check above could fail
        assertThat(b.promptLosses().get(0)).isNotCloseTo(a.promptLosses().get(0), within(1e-4));
    }

    @Test
    void weightsScaleEachClipAndAZeroWeightLeavesTheRunAsWithOneClip() {
        StepEvent a = firstStep(alone(tiny.clip()));
        StepEvent zero = firstStep(ensemble(1.0, other, 0.0));
        StepEvent doubled = firstStep(ensemble(2.0, other, 0.0));
        for (int i = 0; i < 2; i++) {
            assertThat(zero.promptLosses().get(i)).isCloseTo(a.promptLosses().get(i), within(1e-6));
            assertThat(doubled.promptLosses().get(i)).isCloseTo(2 * a.promptLosses().get(i), within(1e-5));
        }
    }

    @Test
    void theEnsembleMovesZOtherwiseThanEitherClipAlone() {
        float[] za = zAfterTwoSteps(alone(tiny.clip()));
        float[] zb = zAfterTwoSteps(alone(other));
        float[] zBoth = zAfterTwoSteps(ensemble(1.0, other, 1.0));
        assertThat(maxDiff(zBoth, za)).isGreaterThan(1e-4);
        assertThat(maxDiff(zBoth, zb)).isGreaterThan(1e-4);
        // and it is deterministic
        assertThat(zAfterTwoSteps(ensemble(1.0, other, 1.0))).containsExactly(zBoth);
    }

    private static float[] zAfterTwoSteps(RunModels models) {
        Run run = Run.start(models, request());
        try {
            run.step(false);
            run.step(false);
            return run.snapshot().z();
        } finally {
            run.close();
        }
    }

    private static double maxDiff(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }
}
