package dev.vqclip.engine.run;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.NativeHeap;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.nn.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a step does so that a GPU never waits on the host inside it, checked on the CPU: one copy to the host per
 * step whatever the number of prompts, constants made once rather than per operation, no heap trim after a GPU step.
 */
class GpuReadyStepTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    private static GenerationRequest request(List<Prompt> prompts) {
        return GenerationRequest.defaults(prompts).withSize(64, 48).withCutouts(4).withSeed(7);
    }

    @Test
    void aStepCopiesToTheHostOnceWhateverTheNumberOfPrompts() {
        for (List<Prompt> prompts : List.of(List.of(new Prompt("a red apple")),
                List.of(new Prompt("a red apple"), new Prompt("a blue sky", 0.5), new Prompt("rain", -0.3)))) {
            try (Run run = Run.start(TINY.models(), request(prompts))) {
                for (int i = 0; i < 3; i++) {
                    StepEvent e = run.step(false);
                    assertThat(run.hostReadsOfLastStep()).as("%d prompts, step %d", prompts.size(), i + 1)
                            .isEqualTo(1);
                    assertThat(e.promptLosses()).hasSize(prompts.size());
                }
            }
        }
    }

    @Test
    void theStepReportsTheLossesOfItsChain() {
        // the losses read once at the end are those the chain computed: recompute step 1 with StepMath
        GenerationRequest r = request(List.of(new Prompt("a red apple"), new Prompt("rain", -0.5)));
        StepEvent e;
        double[] expected;
        double expectedL2;
        try (Run run = Run.start(TINY.models(), r); Run twin = Run.start(TINY.models(), r)) {
            try (NDManager sm = twin.manager().newSubManager()) {
                NDArray leaf = Tensors.fromHost(sm, twin.snapshot().z(), new Shape(twin.snapshot().shape()));
                leaf.setRequiresGradient(true);
                java.util.SplittableRandom rng = Run.randomFor(r.seed(), 0);
                var clip = TINY.models().clip();
                var aug = new dev.vqclip.engine.augment.CutoutAugmenter(clip.imageResolution(), r.cutouts(),
                        r.cutPow(), r.augmentations());
                try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                    StepMath.Result res = StepMath.run(TINY.models().vqgan(), leaf,
                            img -> clip.encodeImage(clip.normalize(aug.apply(img, rng))), twin.targetsAt(0),
                            r.l2Weight(), gc);
                    expected = res.targetLosses();
                    expectedL2 = res.l2Loss();
                }
            }
            e = run.step(false);
        }
        assertThat(e.promptLosses()).containsExactly(expected[0], expected[1]);
        assertThat(e.l2Loss()).isEqualTo(expectedL2);
        assertThat(e.totalLoss()).isEqualTo(expectedL2 + expected[0] + expected[1]);
    }

    @Test
    void steadyStepsMakeOnlyTheConstantsThatChangeEveryStep() {
        for (int prompts : new int[] {1, 4}) {
            List<Prompt> list = new java.util.ArrayList<>();
            for (int i = 0; i < prompts; i++) {
                list.add(new Prompt("prompt number " + i, 1.0 + i));
            }
            try (Run run = Run.start(TINY.models(), request(list).withCutouts(8))) {
                run.step(false);
                run.step(false);
                long before = Tensors.scalarsMade();
                run.step(false);
                long made = Tensors.scalarsMade() - before;
                // Adam's two bias corrections change every step; everything else (the l2 weight's decay is 0 by
                // default) was made in the first steps. Before: a new scalar per operation, hundreds per step.
                assertThat(made).as("constants made by step 3 with %d prompts", prompts).isLessThanOrEqualTo(3);
            }
        }
    }

    @Test
    void noHeapTrimAfterAGpuStep() {
        assertThat(NativeHeap.shouldTrimAfterStep(Device.gpu())).isFalse();
        assertThat(NativeHeap.shouldTrimAfterStep(Device.gpu(1))).isFalse();
        NativeHeap.beforeStep();
        assertThat(NativeHeap.afterStep(Device.gpu())).isFalse();
        assertThat(NativeHeap.shouldTrimAfterStep(Device.cpu())).isEqualTo(NativeHeap.mode() == NativeHeap.Mode.STEP);
    }

    @Test
    void aRecordedStepTimesEveryStageInOrder() {
        try (Run run = Run.start(TINY.models(), request(List.of(new Prompt("a red apple"))))) {
            StepStages stages = StepStages.recorder();
            run.recordStages(stages);
            run.step(false);
            run.step(true);
            assertThat(stages.secondsPerStep().keySet()).containsExactly("decoder forward",
                    "cutouts + augmentations", "CLIP forward + loss", "CLIP backward", "decoder backward",
                    "Adam + read", "frame", "memory hand-back");
            assertThat(stages.secondsPerStep().values()).allSatisfy(s -> assertThat(s).isGreaterThanOrEqualTo(0));
            assertThat(stages.secondsPerStep().get("decoder forward")).isGreaterThan(0);
            stages.reset();
            assertThat(stages.secondsPerStep()).isEmpty();
        }
    }
}
