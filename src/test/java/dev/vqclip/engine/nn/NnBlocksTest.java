package dev.vqclip.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.testing.NDManagerPerTest;
import org.junit.jupiter.api.Test;

import static dev.vqclip.engine.nn.GroupNormTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NnBlocksTest extends NDManagerPerTest {
    @Test
    void swishIsXTimesSigmoidX() {
        float[] xv = {-3f, -0.5f, 0f, 0.25f, 4f};
        float[] y = Activations.swish(m.create(xv)).toFloatArray();
        for (int i = 0; i < xv.length; i++) {
            double want = xv[i] / (1 + Math.exp(-xv[i]));
            assertThat((double) y[i]).isCloseTo(want, within(1e-6));
        }
    }

    @Test
    void nearestUpsamplingRepeatsEachPixelAsATwoByTwoBlock() {
        NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(1, 1, 2, 3));
        NDArray y = Resample.upsampleNearest2x(x);
        assertThat(y.getShape()).isEqualTo(new Shape(1, 1, 4, 6));
        assertThat(y.toFloatArray()).containsExactly(
                1, 1, 2, 2, 3, 3,
                1, 1, 2, 2, 3, 3,
                4, 4, 5, 5, 6, 6,
                4, 4, 5, 5, 6, 6);
    }

    @Test
    void paddingAddsAZeroColumnAtTheRightAndAZeroRowAtTheBottom() {
        NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
        NDArray y = Resample.padRightBottom(x);
        assertThat(y.getShape()).isEqualTo(new Shape(1, 1, 3, 3));
        assertThat(y.toFloatArray()).containsExactly(1, 2, 0, 3, 4, 0, 0, 0, 0);
    }

    @Test
    void convolutionHelpersKeepSizeOrHalveIt() {
        NDArray x = m.create(random(2 * 3 * 8 * 6, 1, 1, 0), new Shape(2, 3, 8, 6));
        NDArray w3 = m.create(random(4 * 3 * 9, 2, 0.1, 0), new Shape(4, 3, 3, 3));
        NDArray w1 = m.create(random(4 * 3, 3, 0.1, 0), new Shape(4, 3, 1, 1));
        NDArray b = m.create(new float[] {1, 2, 3, 4});
        assertThat(Convs.conv3x3(x, w3, b).getShape()).isEqualTo(new Shape(2, 4, 8, 6));
        assertThat(Convs.conv2d(Resample.padRightBottom(x), w3, b, 2, 0).getShape())
                .isEqualTo(new Shape(2, 4, 4, 3));
        // a 1x1 convolution is a per-position matrix product
        float[] y = Convs.conv1x1(x, w1, b).toFloatArray();
        float[] xv = x.toFloatArray();
        float[] wv = w1.toFloatArray();
        int hw = 48;
        for (int o = 0; o < 4; o++) {
            double want = o + 1;
            for (int i = 0; i < 3; i++) {
                want += wv[o * 3 + i] * xv[i * hw + 5];
            }
            assertThat((double) y[o * hw + 5]).isCloseTo(want, within(1e-5));
        }
    }

    @Test
    void attentionWeighsValuesBySoftmaxOfScaledDotProducts() {
        int n = 2, c = 3, h = 2, w = 2, hw = h * w;
        float[] qv = random(n * c * hw, 11, 1, 0);
        float[] kv = random(n * c * hw, 12, 1, 0);
        float[] vv = random(n * c * hw, 13, 1, 0);
        Shape s = new Shape(n, c, h, w);
        NDArray out = SpatialAttention.apply(m.create(qv, s), m.create(kv, s), m.create(vv, s));
        assertThat(out.getShape()).isEqualTo(s);
        float[] got = out.toFloatArray();
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < hw; i++) {
                double[] logits = new double[hw];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < hw; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        logits[j] += qv[(b * c + ch) * hw + i] * kv[(b * c + ch) * hw + j];
                    }
                    logits[j] /= Math.sqrt(c);
                    max = Math.max(max, logits[j]);
                }
                double z = 0;
                for (int j = 0; j < hw; j++) {
                    logits[j] = Math.exp(logits[j] - max);
                    z += logits[j];
                }
                for (int ch = 0; ch < c; ch++) {
                    double want = 0;
                    for (int j = 0; j < hw; j++) {
                        want += logits[j] / z * vv[(b * c + ch) * hw + j];
                    }
                    assertThat((double) got[(b * c + ch) * hw + i]).isCloseTo(want, within(1e-5));
                }
            }
        }
    }

    @Test
    void attentionGradientMatchesFiniteDifferences() {
        Shape s = new Shape(1, 2, 2, 2);
        float[] qv = random(8, 21, 1, 0);
        NDArray k = m.create(random(8, 22, 1, 0), s);
        NDArray v = m.create(random(8, 23, 1, 0), s);
        NDArray g = m.create(random(8, 24, 1, 0), s);
        NDArray q = m.create(qv, s);
        q.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(SpatialAttention.apply(q, k, v).mul(g).sum());
        }
        float[] grad = q.getGradient().toFloatArray();
        float step = 1e-2f;
        for (int i = 0; i < qv.length; i++) {
            float[] plus = qv.clone();
            float[] minus = qv.clone();
            plus[i] += step;
            minus[i] -= step;
            double lp = SpatialAttention.apply(m.create(plus, s), k, v).mul(g).sum().getFloat();
            double lm = SpatialAttention.apply(m.create(minus, s), k, v).mul(g).sum().getFloat();
            assertThat((double) grad[i]).isCloseTo((lp - lm) / (2 * step), within(2e-3));
        }
    }
}
