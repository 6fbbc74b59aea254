package dev.vqclip.engine.augment;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.augment.CutoutPlan.Cutout;
import dev.vqclip.testing.FiniteDifferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CutoutAugmenterTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static float[] randomPixels(int h, int w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[3 * h * w];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextDouble();
        }
        return p;
    }

    private NDArray image(float[] pixels, int h, int w) {
        return manager.create(pixels, new Shape(1, 3, h, w));
    }

    /** Cutout k of an N×3×c×c result, as float[3·c·c]. */
    private static float[] cutout(float[] all, int k, int c) {
        return Arrays.copyOfRange(all, k * 3 * c * c, (k + 1) * 3 * c * c);
    }

    private static CutoutPlan planOf(int h, int w, int c, Cutout... cuts) {
        return new CutoutPlan(h, w, c, List.of(cuts), 0);
    }

    @Test
    void returnsTheRequestedNumberOfCutoutsOnTheImagesDeviceAndType() {
        NDArray img = image(randomPixels(40, 50, 1), 40, 50);
        NDArray out = new CutoutAugmenter(16, 5, 1.0, Augmentations.defaults()).apply(img, new SplittableRandom(3));
        assertThat(out.getShape()).isEqualTo(new Shape(5, 3, 16, 16));
        assertThat(out.getDevice()).isEqualTo(img.getDevice());
        assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(out.getManager()).isSameAs(img.getManager());
        for (float v : out.toFloatArray()) {
            assertThat(v).isFinite();
        }
    }

    @Test
    void withoutAugmentationsAWholeImageCutoutIsTheImage() {
        float[] px = randomPixels(24, 24, 2);
        NDArray out = new CutoutAugmenter(24, 4, 1.0, Augmentations.none()).apply(image(px, 24, 24),
                new SplittableRandom(4));
        float[] all = out.toFloatArray();
        for (int k = 0; k < 4; k++) {
            assertThat(cutout(all, k, 24)).as("cutout %d", k).containsExactly(px);
        }
    }

    @Test
    void aLargerCropIsAreaAveragedDownToTheCutSize() {
        int h = 20;
        int w = 20;
        float[] px = randomPixels(h, w, 3);
        // an 8-pixel crop at (x 3, y 5) shrunk to 4: each output pixel is the mean of a 2×2 block
        CutoutPlan plan = planOf(h, w, 4, Cutout.crop(8, 3, 5));
        float[] o = CutoutAugmenter.apply(image(px, h, w), plan).toFloatArray();
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    double sum = 0;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            sum += px[(ch * h + 5 + 2 * i + dy) * w + 3 + 2 * j + dx];
                        }
                    }
                    assertThat((double) o[(ch * 4 + i) * 4 + j]).isCloseTo(sum / 4, within(1e-6));
                }
            }
        }
    }

    @Test
    void anImageSmallerThanTheCutSizeIsUpsampled() {
        float[] px = new float[3 * 10 * 12];
        Arrays.fill(px, 0.25f);
        NDArray out = new CutoutAugmenter(16, 3, 1.0, Augmentations.none()).apply(image(px, 10, 12),
                new SplittableRandom(5));
        assertThat(out.getShape()).isEqualTo(new Shape(3, 3, 16, 16));
        for (float v : out.toFloatArray()) {
            assertThat(v).isCloseTo(0.25f, within(1e-6f));
        }
    }

    @Test
    void flipMirrorsExactlyTheCutoutsThePlanFlips() {
        int c = 12;
        float[] px = randomPixels(c, c, 6);
        float[] mirrored = new float[px.length];
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < c; j++) {
                    mirrored[(ch * c + i) * c + j] = px[(ch * c + i) * c + (c - 1 - j)];
                }
            }
        }
        Augmentations flipOnly = new Augmentations(true, false, false, false, false, 0);
        CutoutAugmenter aug = new CutoutAugmenter(c, 32, 1.0, flipOnly);
        CutoutPlan plan = aug.plan(c, c, new SplittableRandom(7));
        float[] all = CutoutAugmenter.apply(image(px, c, c), plan).toFloatArray();
        int flipped = 0;
        for (int k = 0; k < 32; k++) {
            boolean flip = plan.cutouts().get(k).flip();
            assertThat(cutout(all, k, c)).as("cutout %d (flip %s)", k, flip).containsExactly(flip ? mirrored : px);
            flipped += flip ? 1 : 0;
        }
        assertThat(flipped).isBetween(1, 31);
    }

    @Test
    void translationMovesContentAndRepeatsTheBorder() {
        int c = 10;
        float[] px = randomPixels(c, c, 8);
        Cutout shift = new Cutout(c, 0, 0, false, 0, 3, -2, null, 0, 1, 0);
        float[] o = CutoutAugmenter.apply(image(px, c, c), planOf(c, c, c, shift)).toFloatArray();
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < c; j++) {
                    // content moves right by 3 and up by 2: out(x, y) = in(x − 3, y + 2), clamped
                    float expected = px[(ch * c + Math.min(i + 2, c - 1)) * c + Math.max(j - 3, 0)];
                    assertThat(o[(ch * c + i) * c + j]).isCloseTo(expected, within(1e-5f));
                }
            }
        }
    }

    @Test
    void positiveDegreesRotateCounterClockwiseAsDisplayed() {
        int c = 9;
        float[] px = new float[3 * c * c];
        px[4 * c + 7] = 1; // red channel, right of the centre (4, 4)
        Cutout rotate = new Cutout(c, 0, 0, false, 90, 0, 0, null, 0, 1, 0);
        float[] o = CutoutAugmenter.apply(image(px, c, c), planOf(c, c, c, rotate)).toFloatArray();
        assertThat(o[c + 4]).as("above the centre").isCloseTo(1f, within(1e-5f));
        double total = 0;
        for (int k = 0; k < c * c; k++) {
            total += o[k];
        }
        assertThat(total).isCloseTo(1, within(1e-4));
    }

    @Test
    void flipIsAppliedBeforeTheAffine() {
        int c = 9;
        float[] px = new float[3 * c * c];
        px[4 * c + 7] = 1; // right of the centre
        // flip sends it left of the centre; then +2 px translation to the right lands on (4, 3)
        Cutout both = new Cutout(c, 0, 0, true, 0, 2, 0, null, 0, 1, 0);
        float[] o = CutoutAugmenter.apply(image(px, c, c), planOf(c, c, c, both)).toFloatArray();
        assertThat(o[4 * c + 3]).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void perspectiveLeavesZerosOutsideTheMovedCorners() {
        int c = 16;
        float[] px = new float[3 * c * c];
        Arrays.fill(px, 1f);
        double[] corners = {3, 3, 12, 2, 13, 13, 2, 12};
        Cutout warp = new Cutout(c, 0, 0, false, 0, 0, 0, corners, 0, 1, 0);
        float[] o = CutoutAugmenter.apply(image(px, c, c), planOf(c, c, c, warp)).toFloatArray();
        assertThat(o[0]).as("top-left corner").isZero();
        assertThat(o[c * c - 1]).as("bottom-right corner").isZero();
        assertThat(o[8 * c + 8]).as("centre").isCloseTo(1f, within(1e-5f));
        assertThat(o[3 * c + 3]).as("moved top-left corner").isCloseTo(1f, within(1e-4f));
        assertThat(o[3 * c + 2]).as("a pixel left of it, outside the quad").isLessThan(0.5f);
    }

    @Test
    void colourMatrixKeepsGreyAndLumaAndIsIdentityAtRest() {
        double[] id = CutoutAugmenter.colourMatrix(0, 1);
        double[] expectedId = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        for (int k = 0; k < 9; k++) {
            assertThat(id[k]).isCloseTo(expectedId[k], within(1e-12));
        }
        double[] m = CutoutAugmenter.colourMatrix(0.37, 0.6);
        double[] luma = {0.299, 0.587, 0.114};
        for (int r = 0; r < 3; r++) {
            assertThat(m[3 * r] + m[3 * r + 1] + m[3 * r + 2]).as("row %d sums to 1 (grey stays grey)", r)
                    .isCloseTo(1, within(1e-9));
        }
        for (int col = 0; col < 3; col++) {
            double y = luma[0] * m[col] + luma[1] * m[3 + col] + luma[2] * m[6 + col];
            assertThat(y).as("luma kept, column %d", col).isCloseTo(luma[col], within(1e-6));
        }
        double[] halfTurnTwice = Homography.multiply(CutoutAugmenter.colourMatrix(0.5, 1),
                CutoutAugmenter.colourMatrix(0.5, 1));
        for (int k = 0; k < 9; k++) {
            assertThat(halfTurnTwice[k]).isCloseTo(expectedId[k], within(1e-9));
        }
    }

    @Test
    void zeroSaturationTurnsACutoutIntoItsLuma() {
        int c = 6;
        float[] px = randomPixels(c, c, 9);
        Cutout grey = new Cutout(c, 0, 0, false, 0, 0, 0, null, 0.05, 0, 0);
        float[] o = CutoutAugmenter.apply(image(px, c, c), planOf(c, c, c, grey)).toFloatArray();
        for (int k = 0; k < c * c; k++) {
            double y = 0.299 * px[k] + 0.587 * px[c * c + k] + 0.114 * px[2 * c * c + k];
            for (int ch = 0; ch < 3; ch++) {
                assertThat((double) o[ch * c * c + k]).isCloseTo(y, within(1e-5));
            }
        }
    }

    @Test
    void noiseHasThePlannedStandardDeviationPerCutout() {
        int c = 32;
        float[] px = new float[3 * c * c];
        Arrays.fill(px, 0.5f);
        Augmentations noiseOnly = new Augmentations(false, false, false, false, true, 0.3);
        CutoutAugmenter aug = new CutoutAugmenter(c, 16, 1.0, noiseOnly);
        CutoutPlan plan = aug.plan(c, c, new SplittableRandom(10));
        float[] all = CutoutAugmenter.apply(image(px, c, c), plan).toFloatArray();
        for (int k = 0; k < 16; k++) {
            double planned = plan.cutouts().get(k).noiseStd();
            assertThat(planned).isBetween(0.0, 0.3);
            float[] one = cutout(all, k, c);
            double mean = 0;
            for (float v : one) {
                mean += v;
            }
            mean /= one.length;
            double var = 0;
            for (float v : one) {
                var += (v - mean) * (v - mean);
            }
            double std = Math.sqrt(var / one.length);
            // 3072 samples: the std estimate is within ~1.3% (1σ) of the truth
            assertThat(std).as("cutout %d", k).isCloseTo(planned, within(0.06 * planned + 1e-6));
            assertThat(mean).isCloseTo(0.5, within(4 * planned / Math.sqrt(one.length) + 1e-6));
        }
    }

    @Test
    void theSameGeneratorStateGivesTheSameCutoutsAndAnotherGivesOthers() {
        NDArray img = image(randomPixels(48, 40, 11), 48, 40);
        CutoutAugmenter aug = new CutoutAugmenter(24, 8, 1.0, Augmentations.defaults());
        float[] a = aug.apply(img, new SplittableRandom(42)).toFloatArray();
        float[] b = aug.apply(img, new SplittableRandom(42)).toFloatArray();
        float[] d = aug.apply(img, new SplittableRandom(43)).toFloatArray();
        assertThat(b).containsExactly(a);
        assertThat(Arrays.equals(a, d)).isFalse();
    }

    @Test
    void theGeneratorForAStepDependsOnlyOnSeedAndStep() {
        CutoutAugmenter aug = new CutoutAugmenter(224, 4, 1.0, Augmentations.defaults());
        CutoutPlan a = aug.plan(256, 256, CutoutAugmenter.randomForStep(7, 12));
        assertThat(aug.plan(256, 256, CutoutAugmenter.randomForStep(7, 12))).isEqualTo(a);
        assertThat(aug.plan(256, 256, CutoutAugmenter.randomForStep(7, 13))).isNotEqualTo(a);
        assertThat(aug.plan(256, 256, CutoutAugmenter.randomForStep(8, 12))).isNotEqualTo(a);
    }

    @Test
    void switchingAnAugmentationOffLeavesTheOtherChoicesAlone() {
        CutoutAugmenter all = new CutoutAugmenter(224, 32, 1.0, Augmentations.defaults());
        CutoutAugmenter noFlip = new CutoutAugmenter(224, 32, 1.0,
                new Augmentations(false, true, true, true, true, 0.1));
        CutoutPlan p = all.plan(300, 400, new SplittableRandom(12));
        CutoutPlan q = noFlip.plan(300, 400, new SplittableRandom(12));
        assertThat(q.noiseSeed()).isEqualTo(p.noiseSeed());
        for (int k = 0; k < 32; k++) {
            Cutout a = p.cutouts().get(k);
            Cutout b = q.cutouts().get(k);
            assertThat(b.flip()).isFalse();
            assertThat(new Cutout(b.size(), b.offsetX(), b.offsetY(), a.flip(), b.degrees(), b.translateX(),
                    b.translateY(), b.perspective(), b.hueTurns(), b.saturation(), b.noiseStd())).isEqualTo(a);
        }
    }

    @Test
    void planDrawsSizesPositionsAndProbabilitiesInRange() {
        int n = 2000;
        CutoutAugmenter aug = new CutoutAugmenter(224, n, 1.0, Augmentations.defaults());
        CutoutPlan plan = aug.plan(300, 400, new SplittableRandom(13));
        int flips = 0;
        int affines = 0;
        int perspectives = 0;
        int jitters = 0;
        for (Cutout cut : plan.cutouts()) {
            assertThat(cut.size()).isBetween(224, 300);
            assertThat(cut.offsetX() + cut.size()).isLessThanOrEqualTo(400);
            assertThat(cut.offsetY() + cut.size()).isLessThanOrEqualTo(300);
            assertThat(Math.abs(cut.degrees())).isLessThanOrEqualTo(15);
            assertThat(Math.abs(cut.translateX())).isLessThanOrEqualTo(22.4);
            assertThat(cut.noiseStd()).isBetween(0.0, 0.1);
            flips += cut.flip() ? 1 : 0;
            affines += cut.degrees() != 0 ? 1 : 0;
            jitters += cut.recolours() ? 1 : 0;
            if (cut.perspective() != null) {
                perspectives++;
                double[] p = cut.perspective();
                assertThat(p[0]).isBetween(0.0, 0.35 * 224); // top-left x moves right, at most 35 % of the size
                assertThat(p[2]).isBetween(223 - 0.35 * 224, 223.0); // top-right x moves left
            }
        }
        // binomial(2000, p): 4σ ≈ 0.045
        assertThat(flips / (double) n).isCloseTo(0.5, within(0.045));
        assertThat(affines / (double) n).isCloseTo(0.7, within(0.045));
        assertThat(perspectives / (double) n).isCloseTo(0.7, within(0.045));
        assertThat(jitters / (double) n).isCloseTo(0.7, within(0.045));
        // cut_pow 1: sizes uniform over [224, 300); a large power piles them at the minimum
        double meanSize = plan.cutouts().stream().mapToInt(Cutout::size).average().orElseThrow();
        assertThat(meanSize).isCloseTo(261.5, within(2.0));
        CutoutPlan small = new CutoutAugmenter(224, 200, 20.0, Augmentations.none()).plan(300, 400,
                new SplittableRandom(14));
        assertThat(small.cutouts().stream().filter(cut -> cut.size() < 230).count()).isGreaterThan(150);
    }

    @Test
    void gradientWithRespectToTheImageMatchesFiniteDifferences() {
        int h = 14;
        int w = 12;
        double[] img = new double[3 * h * w];
        SplittableRandom r = new SplittableRandom(15);
        for (int i = 0; i < img.length; i++) {
            img[i] = r.nextDouble();
        }
        CutoutAugmenter aug = new CutoutAugmenter(8, 6, 1.0, Augmentations.defaults());
        CutoutPlan plan = aug.plan(h, w, new SplittableRandom(16));
        assertThat(plan.cutouts()).anyMatch(Cutout::warps).anyMatch(Cutout::recolours)
                .anyMatch(c -> c.perspective() != null).anyMatch(c -> c.noiseStd() > 0);
        double[] weights = new double[6 * 3 * 8 * 8];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = r.nextDouble(-1, 1);
        }
        NDArray wts = manager.create(weights, new Shape(6, 3, 8, 8));
        NDArray x = manager.create(img, new Shape(1, 3, h, w));
        x.setRequiresGradient(true);
        double[] grad;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = aug.apply(x, new SplittableRandom(16));
            gc.backward(out.mul(wts).sum());
            grad = x.getGradient().toDoubleArray();
        }
        int nonZero = FiniteDifferences.assertGradientMatches("image", img, grad, 7, 1e-3, 1e-8,
                v -> loss(aug, v, h, w, wts));
        assertThat(nonZero).isGreaterThan(40);
    }

    @Test
    void gradientsAreReproducibleOnTheCpu() {
        float[] px = randomPixels(64, 56, 19);
        CutoutAugmenter aug = new CutoutAugmenter(32, 8, 1.0, Augmentations.defaults());
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(px, new Shape(1, 3, 64, 56));
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = aug.apply(x, new SplittableRandom(20));
                    gc.backward(out.mul(out).sum());
                }
                grads[run] = x.getGradient().toFloatArray();
            }
        }
        assertThat(grads[1]).containsExactly(grads[0]);
        long nonZero = 0;
        for (float g : grads[0]) {
            nonZero += g != 0 ? 1 : 0;
        }
        assertThat(nonZero).isGreaterThan(grads[0].length / 2);
    }

    private double loss(CutoutAugmenter aug, double[] img, int h, int w, NDArray wts) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(img, new Shape(1, 3, h, w));
            return aug.apply(x, new SplittableRandom(16)).mul(wts).sum().getDouble();
        }
    }

    @Test
    void leavesOnlyTheResultInTheImagesManager() {
        try (NDManager step = manager.newSubManager()) {
            NDArray img = step.create(randomPixels(64, 48, 17), new Shape(1, 3, 64, 48));
            BaseNDManager m = (BaseNDManager) step;
            int before = m.getManagedArrays().size();
            NDArray out = new CutoutAugmenter(32, 6, 1.0, Augmentations.defaults()).apply(img,
                    new SplittableRandom(18));
            List<NDArray> after = new ArrayList<>(m.getManagedArrays());
            assertThat(after).hasSize(before + 1).contains(out);
        }
    }

    @Test
    void oneByOneCutoutsWorkWithEveryAugmentationOn() {
        NDArray out = new CutoutAugmenter(1, 4, 1.0, Augmentations.defaults()).apply(
                image(randomPixels(5, 6, 21), 5, 6), new SplittableRandom(22));
        assertThat(out.getShape()).isEqualTo(new Shape(4, 3, 1, 1));
    }

    @Test
    void rejectsWhatItCannotCut() {
        CutoutAugmenter aug = new CutoutAugmenter(8, 2, 1.0, Augmentations.none());
        SplittableRandom r = new SplittableRandom(1);
        assertThatThrownBy(() -> aug.apply(manager.zeros(new Shape(3, 8, 8)), r))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1×3×H×W");
        assertThatThrownBy(() -> aug.apply(manager.zeros(new Shape(2, 3, 8, 8)), r))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3, 8, 8)");
        assertThatThrownBy(() -> aug.apply(manager.zeros(new Shape(1, 3, 8, 8), DataType.INT32), r))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int32");
        CutoutPlan plan = aug.plan(8, 8, r);
        assertThatThrownBy(() -> CutoutAugmenter.apply(manager.zeros(new Shape(1, 3, 9, 8)), plan))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8×8");
        assertThatThrownBy(() -> new CutoutAugmenter(0, 2, 1.0, Augmentations.none()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CutoutAugmenter(8, 2, Double.NaN, Augmentations.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cut power");
        assertThatThrownBy(() -> new CutoutAugmenter(8, 2, 1.0, new Augmentations(false, false, false, false,
                true, -1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noise");
        assertThatThrownBy(() -> planOf(8, 8, 8, Cutout.crop(6, 3, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        NDArray img = manager.zeros(new Shape(1, 3, 4, 4));
        CutoutPlan collinear = planOf(4, 4, 4, new Cutout(4, 0, 0, false, 0, 0, 0,
                new double[] {0, 0, 1, 1, 2, 2, 3, 3}, 0, 1, 0));
        assertThatThrownBy(() -> CutoutAugmenter.apply(img, collinear))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("degenerate");
    }
}
