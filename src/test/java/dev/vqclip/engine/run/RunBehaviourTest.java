package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.SphericalLoss;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the run promises: masks, negative weights, determinism, restore, paint, flat memory. Tiny reference models. */
class RunBehaviourTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    private static GenerationRequest request(String prompt) {
        return GenerationRequest.defaults(List.of(new Prompt(prompt))).withSize(64, 48).withCutouts(4).withSeed(7);
    }

    @Test
    void cellsOutsideTheMaskStayBitIdenticalOverTwentySteps() {
        try (Run run = Run.start(TINY.models(), request("a red apple"))) {
            LatentGrid g = run.latentGrid();
            float[] mv = new float[g.rows() * g.cols()];
            for (int r = 0; r < g.rows(); r++) {
                for (int c = 0; c < g.cols() / 2; c++) {
                    mv[r * g.cols() + c] = 1f;
                }
            }
            run.setMask(new LatentMask(g.rows(), g.cols(), mv));
            float[] before = run.snapshot().z();
            for (int i = 0; i < 20; i++) {
                run.step(false);
            }
            float[] after = run.snapshot().z();
            int channels = before.length / (g.rows() * g.cols());
            int changedInside = 0;
            for (int ch = 0; ch < channels; ch++) {
                for (int cell = 0; cell < g.rows() * g.cols(); cell++) {
                    int i = ch * g.rows() * g.cols() + cell;
                    if (mv[cell] == 0f) {
                        assertThat(Float.floatToIntBits(after[i])).as("z[%d] outside the mask", i)
                                .isEqualTo(Float.floatToIntBits(before[i]));
                    } else if (after[i] != before[i]) {
                        changedInside++;
                    }
                }
            }
            assertThat(changedInside).as("the masked region moves").isGreaterThan(0);
        }
    }

    @Test
    void keepUnmaskedPixelsCompositesTheOriginalBack() {
        try (Run run = Run.start(TINY.models(), request("a red apple").withKeepUnmaskedPixels(true))) {
            LatentGrid g = run.latentGrid();
            float[] mv = new float[g.rows() * g.cols()];
            mv[0] = 1f;
            Frame before = run.frame();
            run.setMask(new LatentMask(g.rows(), g.cols(), mv));
            for (int i = 0; i < 5; i++) {
                run.step(false);
            }
            Frame after = run.frame();
            for (int y = 0; y < after.height(); y++) {
                for (int x = 0; x < after.width(); x++) {
                    if (y >= g.factor() || x >= g.factor()) {
                        assertThat(after.pixel(x, y)).isEqualTo(before.pixel(x, y));
                    }
                }
            }
        }
    }

    private static double distanceToPrompt(Run run, String prompt) {
        RunModels models = TINY.models();
        try (NDManager m = NDManager.newBaseManager()) {
            Frame f = run.frame();
            NDArray img = Images.toTensor(f, m);
            NDArray a = SphericalLoss.normalize(models.clip().encodeImage(models.clip().normalize(
                    img.getNDArrayInternal().interpolation(new long[] {32, 32}, 2, false))));
            long[][] t = {models.tokenizer().tokenize(prompt, 77, true)};
            NDArray b = SphericalLoss.normalize(models.clip().encodeText(m, t));
            return SphericalLoss.distance(a, b).getFloat();
        }
    }

    @Test
    void aNegativeWeightMovesTheDistanceTheOtherWay() {
        String text = "a red apple";
        double[] change = new double[2];
        double[] weights = {1.0, -1.0};
        for (int k = 0; k < 2; k++) {
            GenerationRequest r = GenerationRequest.defaults(List.of(new Prompt(text, weights[k])))
                    .withSize(32, 32).withCutouts(1).withAugmentations(Augmentations.none()).withSeed(3)
                    .withRegularisation(0, 0);
            try (Run run = Run.start(TINY.models(), r)) {
                double d0 = distanceToPrompt(run, text);
                for (int i = 0; i < 10; i++) {
                    run.step(false);
                }
                change[k] = distanceToPrompt(run, text) - d0;
                System.out.printf("weight %s: distance %.5f -> change %.5f%n", weights[k], d0, change[k]);
            }
        }
        assertThat(change[0]).as("positive weight pulls closer").isNegative();
        assertThat(change[1]).as("negative weight pushes away").isPositive();
    }

    @Test
    void sameSeedSameResultAndRestoreEqualsUninterrupted() {
        GenerationRequest r = request("a red apple | blurry:-0.5");
        float[] uninterrupted;
        RunSnapshot at3;
        try (Run run = Run.start(TINY.models(), r)) {
            for (int i = 0; i < 3; i++) {
                run.step(false);
            }
            at3 = run.snapshot();
            for (int i = 0; i < 3; i++) {
                run.step(false);
            }
            uninterrupted = run.snapshot().z();
        }
        try (Run again = Run.start(TINY.models(), r)) {
            for (int i = 0; i < 6; i++) {
                again.step(false);
            }
            assertThat(again.snapshot().z()).as("same seed, same settings").containsExactly(uninterrupted);
        }
        try (Run resumed = Run.resume(TINY.models(), at3)) {
            assertThat(resumed.stepCount()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                resumed.step(false);
            }
            assertThat(resumed.snapshot().z()).as("restored at 3, continued to 6").containsExactly(uninterrupted);
        }
        try (Run other = Run.start(TINY.models(), r.withSeed(8))) {
            other.step(false);
            assertThat(other.snapshot().z()).isNotEqualTo(uninterrupted);
        }
    }

    @Test
    void paintRewritesOnlyThePaintedCellsAndKeepsTheMoments() {
        try (Run run = afterTwoSteps()) {
            RunSnapshot before = run.snapshot();
            Frame f = run.frame();
            LatentGrid g = run.latentGrid();
            int[] px = f.argb().clone();
            boolean[] painted = new boolean[px.length];
            // paint a green square covering latent cell (1, 2) only
            for (int y = g.factor(); y < 2 * g.factor(); y++) {
                for (int x = 2 * g.factor(); x < 3 * g.factor(); x++) {
                    px[y * f.width() + x] = 0xff00c000;
                    painted[y * f.width() + x] = true;
                }
            }
            int cells = run.applyPaint(new Frame(f.width(), f.height(), px), painted);
            assertThat(cells).isEqualTo(1);
            RunSnapshot after = run.snapshot();
            int plane = g.rows() * g.cols();
            int paintedCell = g.cols() + 2;
            int changed = 0;
            for (int i = 0; i < before.z().length; i++) {
                if (i % plane == paintedCell) {
                    changed += before.z()[i] != after.z()[i] ? 1 : 0;
                    assertThat(after.adamM()[i]).isZero();
                } else {
                    assertThat(after.z()[i]).isEqualTo(before.z()[i]);
                    assertThat(after.adamM()[i]).isEqualTo(before.adamM()[i]);
                    assertThat(after.adamV()[i]).isEqualTo(before.adamV()[i]);
                }
            }
            assertThat(changed).isGreaterThan(0);
            assertThat(after.step()).isEqualTo(before.step());
        }
    }

    /** @return a run of "a red apple" on the tiny models that has taken two steps */
    private static Run afterTwoSteps() {
        Run run = Run.start(TINY.models(), request("a red apple"));
        run.step(false);
        run.step(false);
        return run;
    }

    private static void assertSameState(RunSnapshot actual, RunSnapshot expected) {
        assertThat(actual.step()).as("step").isEqualTo(expected.step());
        assertThat(actual.z()).as("z").containsExactly(expected.z());
        assertThat(actual.adamM()).as("Adam's first moment").containsExactly(expected.adamM());
        assertThat(actual.adamV()).as("Adam's second moment").containsExactly(expected.adamV());
    }

    @Test
    void aNaNLossStopsTheStepAndKeepsTheLastFiniteState() {
        try (Run run = afterTwoSteps()) {
            RunSnapshot before = run.snapshot();
            float[] nan = new float[TINY.models().clip().embedDim()];
            java.util.Arrays.fill(nan, Float.NaN);
            run.addTarget("broken", nan, 1.0);

            assertThatThrownBy(() -> run.step(true)).isInstanceOf(NonFiniteException.class)
                    .hasMessageContaining("step 3: the loss is NaN")
                    .hasMessageContaining("prompt 2 \"broken\": NaN")
                    .hasMessageContaining("gradient of z: NaN in")
                    .hasMessageContaining("stopped at step 2, its last finite state")
                    .satisfies(e -> {
                        assertThat(((NonFiniteException) e).failedStep()).isEqualTo(3);
                        assertThat(((NonFiniteException) e).lastGoodStep()).isEqualTo(2);
                    });
            assertSameState(run.snapshot(), before);
            assertThat(run.stepCount()).isEqualTo(2);
        }
    }

    @Test
    void aNonFiniteGradientRestoresZMomentsAndStepAndTheRunContinuesAsIfNothingHappened() {
        GenerationRequest r = request("a red apple");
        float[] uninterrupted;
        try (Run run = Run.start(TINY.models(), r)) {
            for (int i = 0; i < 4; i++) {
                run.step(false);
            }
            uninterrupted = run.snapshot().z();
        }
        try (Run run = Run.start(TINY.models(), r)) {
            run.step(false);
            run.step(false);
            RunSnapshot before = run.snapshot();
            // 1/0 = +inf where the gradient is positive; the loss itself stays finite
            Run.gradientHook = g -> dev.vqclip.engine.nn.Tensors.div(g.abs(), 0f);
            try {
                assertThatThrownBy(() -> run.step(false)).isInstanceOf(NonFiniteException.class)
                        .hasMessageStartingWith("step 3: the gradient of z is not finite (")
                        .hasMessageContaining("inf in")
                        .hasMessageContaining("stopped at step 2");
            } finally {
                Run.gradientHook = java.util.function.UnaryOperator.identity();
            }
            assertSameState(run.snapshot(), before);
            run.step(false);
            run.step(false);
            assertThat(run.snapshot().z()).as("continued from the kept state like the uninterrupted run")
                    .containsExactly(uninterrupted);
        }
    }

    @Test
    void anUpdateThatOverflowsZIsNotKept() {
        try (Run run = Run.start(TINY.models(), request("a red apple"))) {
            run.setClampToCodebook(false);
            run.step(false);
            RunSnapshot before = run.snapshot();
            run.setLearningRate(Double.MAX_VALUE);
            assertThatThrownBy(() -> run.step(false)).isInstanceOf(NonFiniteException.class)
                    .hasMessageStartingWith("step 2: z is not finite after Adam's update (z: ");
            assertSameState(run.snapshot(), before);
        }
    }

    @Test
    void nativeMemoryStaysFlatOverManySteps() {
        try (Run run = Run.start(TINY.models(), request("a red apple"))) {
            run.step(true);
            int runArrays = run.manager().getManagedArrays().size();
            NDManager vqManager = TINY.models().vqgan().codebook().getManager();
            int vqArrays = vqManager.getManagedArrays().size();
            for (int i = 0; i < 40; i++) {
                run.step(i % 10 == 0);
            }
            assertThat(run.manager().getManagedArrays()).hasSize(runArrays);
            assertThat(vqManager.getManagedArrays()).hasSize(vqArrays);
        }
    }
}
