package dev.vqclip.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.testing.NDManagerPerTest;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GroupNormTest extends NDManagerPerTest {
    static float[] random(int n, long seed, double scale, double offset) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale + offset);
        }
        return v;
    }

    /** Random group-norm inputs: x, and gamma and beta per channel. */
    record Inputs(float[] x, float[] gamma, float[] beta) {
        /**
         * @return x ({@code size} values, seed {@code seed}, scale and offset as given), gamma ({@code c} values
         *     about 1, seed + 1) and beta ({@code c} values of scale {@code betaScale} about 0, seed + 2)
         */
        static Inputs random(int size, int c, long seed, double xScale, double xOffset, double betaScale) {
            return new Inputs(GroupNormTest.random(size, seed, xScale, xOffset), GroupNormTest.random(c, seed + 1, 0.5,
                    1.0), GroupNormTest.random(c, seed + 2, betaScale, 0.0));
        }
    }

    /** Group norm written out in double precision: biased variance per (sample, group), then affine per channel. */
    static double[] oracle(float[] x, int n, int c, int hw, int groups, float[] gamma, float[] beta, double eps) {
        double[] xd = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            xd[k] = x[k];
        }
        return oracleD(xd, n, c, hw, groups, gamma, beta, eps);
    }

    @Test
    void matchesTheDefinitionOnASmallCase() {
        int n = 2, c = 6, h = 3, w = 4, groups = 3;
        Inputs in = Inputs.random(n * c * h * w, c, 1, 2.0, 0.7, 0.3);
        NDArray x = m.create(in.x(), new Shape(n, c, h, w));
        NDArray y = GroupNorm.apply(x, groups, m.create(in.gamma()), m.create(in.beta()), 1e-6f);
        assertThat(y.getShape()).isEqualTo(new Shape(n, c, h, w));
        float[] got = y.toFloatArray();
        double[] want = oracle(in.x(), n, c, h * w, groups, in.gamma(), in.beta(), 1e-6);
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("element %d", i).isCloseTo(want[i], within(2e-6));
        }
    }

    @Test
    void usesTheEpsilonGiven() {
        // a constant group has variance 0, so the output is 0 whatever eps; a two-valued group ±1 has variance 1
        NDArray x = m.create(new float[] {1, -1, 1, -1}, new Shape(1, 1, 2, 2));
        float[] y = GroupNorm.apply(x, 1, null, null, 3f).toFloatArray();
        assertThat(y[0]).isCloseTo(0.5f, within(1e-6f)); // 1 / sqrt(1 + 3)
        assertThat(y[1]).isCloseTo(-0.5f, within(1e-6f));
    }

    @Test
    void resultBelongsToTheInputsManagerAndFreesItsScratch() {
        NDArray gamma = m.create(new float[] {1, 2});
        NDArray beta = m.create(new float[] {0, 1});
        int weightsBefore = m.getManagedArrays().size();
        try (NDManager step = m.newSubManager()) {
            NDArray x = step.create(random(2 * 2 * 4, 9, 1, 0), new Shape(2, 2, 2, 2));
            NDArray y = GroupNorm.apply(x, 2, gamma, beta, 1e-6f);
            assertThat(y.getManager()).isSameAs(step);
            assertThat(step.getManagedArrays()).hasSize(2); // x and y only
        }
        assertThat(m.getManagedArrays()).hasSize(weightsBefore);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        int n = 1, c = 4, h = 3, w = 3, groups = 2;
        Inputs in = Inputs.random(n * c * h * w, c, 4, 1.5, 0.2, 0.5);
        float[] probe = random(in.x().length, 7, 1.0, 0.0);
        NDArray x = m.create(in.x(), new Shape(n, c, h, w));
        x.setRequiresGradient(true);
        NDArray gamma = m.create(in.gamma());
        NDArray beta = m.create(in.beta());
        NDArray weights = m.create(probe, new Shape(n, c, h, w));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(GroupNorm.apply(x, groups, gamma, beta, 1e-6f).mul(weights).sum());
        }
        float[] grad = x.getGradient().toFloatArray();
        double step = 1e-3;
        for (int i = 0; i < in.x().length; i++) {
            double numeric = (loss(in.x(), i, step, n, c, h * w, groups, in.gamma(), in.beta(), probe)
                    - loss(in.x(), i, -step, n, c, h * w, groups, in.gamma(), in.beta(), probe)) / (2 * step);
            assertThat((double) grad[i]).as("d loss / d x[%d]", i).isCloseTo(numeric, within(1e-4));
        }
    }

    private static double loss(float[] xv, int i, double delta, int n, int c, int hw, int groups, float[] g,
            float[] b, float[] probe) {
        // the oracle in double precision with x[i] moved by delta
        double[] xd = new double[xv.length];
        for (int k = 0; k < xv.length; k++) {
            xd[k] = xv[k];
        }
        xd[i] += delta;
        double[] y = oracleD(xd, n, c, hw, groups, g, b, 1e-6);
        double s = 0;
        for (int k = 0; k < y.length; k++) {
            s += y[k] * probe[k];
        }
        return s;
    }

    /** Group norm written out in double precision: biased variance per (sample, group), then affine. */
    private static double[] oracleD(double[] x, int n, int c, int hw, int groups, float[] gamma, float[] beta,
            double eps) {
        double[] out = new double[x.length];
        int cpg = c / groups;
        int len = cpg * hw;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < groups; g++) {
                int start = (s * c + g * cpg) * hw;
                double mean = 0;
                for (int i = 0; i < len; i++) {
                    mean += x[start + i];
                }
                mean /= len;
                double var = 0;
                for (int i = 0; i < len; i++) {
                    var += (x[start + i] - mean) * (x[start + i] - mean);
                }
                var /= len;
                for (int i = 0; i < len; i++) {
                    int ch = g * cpg + i / hw;
                    out[start + i] = (x[start + i] - mean) / Math.sqrt(var + eps) * gamma[ch] + beta[ch];
                }
            }
        }
        return out;
    }

    @Test
    void rejectsChannelsThatDoNotSplitIntoGroups() {
        NDArray x = m.zeros(new Shape(1, 6, 2, 2));
        assertThatThrownBy(() -> GroupNorm.apply(x, 4, null, null, 1e-6f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 channels");
    }
}
