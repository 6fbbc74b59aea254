package dev.vqclip.engine.clip;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour of the CLIP model that needs no model file (random weights). */
class ClipModelTest {
    /** Small sizes: 16×16 images in 4×4 patches (17 tokens), two blocks per tower, 8 text tokens. */
    static final ClipConfig SMALL = new ClipConfig(8, 16, 2, 64, 1, 4, 8, 100, 64, 1, 2);

    private static Clip clip;

    @BeforeAll
    static void build() {
        // before the engine loads (one JVM per test class): an installed CUDA runtime, so the GPU test really runs
        dev.vqclip.runtime.NativeRuntime.select();
        clip = Clip.randomWeights(SMALL, Device.cpu(), 7);
    }

    @AfterAll
    static void free() {
        clip.close();
    }

    @Test
    void inputGradientMatchesFiniteDifferencesInFloat64() {
        try (Clip c64 = clip.withDataType(DataType.FLOAT64); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Random rnd = new Random(11);
            int n = 2;
            double[] px = new double[n * 3 * 16 * 16];
            for (int i = 0; i < px.length; i++) {
                px[i] = rnd.nextDouble();
            }
            double[] target = new double[SMALL.embedDim()];
            for (int i = 0; i < target.length; i++) {
                target[i] = rnd.nextGaussian();
            }
            NDArray t = m.create(target, new Shape(1, target.length)).normalize(2, -1, 1e-12);

            NDArray x = m.create(px, new Shape(n, 3, 16, 16));
            x.setRequiresGradient(true);
            double[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = sphericalLoss(c64, x, t);
                gc.backward(loss);
                grad = x.getGradient().toDoubleArray();
            }
            assertThat(java.util.Arrays.stream(grad).map(Math::abs).max().orElse(0)).as("the loss depends on the pixels")
                    .isGreaterThan(1e-6);

            double eps = 1e-6;
            for (int k = 0; k < 8; k++) {
                int idx = rnd.nextInt(px.length);
                double[] plus = px.clone();
                double[] minus = px.clone();
                plus[idx] += eps;
                minus[idx] -= eps;
                double fd = (lossAt(c64, m, plus, t) - lossAt(c64, m, minus, t)) / (2 * eps);
                System.out.printf("grad check at %5d: autograd %+.10e  finite difference %+.10e%n", idx, grad[idx], fd);
                assertThat(Math.abs(fd - grad[idx])).as("gradient at %d", idx)
                        .isLessThanOrEqualTo(1e-8 + 1e-6 * Math.abs(fd));
            }
        }
    }

    private static double lossAt(Clip c, NDManager m, double[] px, NDArray target) {
        try (NDManager step = m.newSubManager()) {
            NDArray x = step.create(px, new Shape(px.length / (3 * 16 * 16), 3, 16, 16));
            return sphericalLoss(c, x, target).getDouble();
        }
    }

    /** Σ over the batch of 2·asin(‖a − t‖/2)², a the normalised image embedding. */
    private static NDArray sphericalLoss(Clip c, NDArray pixels01, NDArray target) {
        NDArray a = c.encodeImage(c.normalize(pixels01)).normalize(2, -1, 1e-12);
        NDArray d = a.sub(target);
        NDArray dist = d.mul(d).sum(new int[] {-1}).sqrt();
        return dist.div(2).asin().mul(2).square().sum();
    }

    @Test
    void batchedImagesEncodeLikeSingleImages() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.randomUniform(0, 1, new Shape(3, 3, 16, 16));
            float[] batch = clip.encodeImage(clip.normalize(x)).toFloatArray();
            int d = SMALL.embedDim();
            assertThat(batch).hasSize(3 * d);
            for (int i = 0; i < 3; i++) {
                float[] one = clip.encodeImage(clip.normalize(x.get(i + ":" + (i + 1)))).toFloatArray();
                for (int j = 0; j < d; j++) {
                    assertThat(batch[i * d + j]).isCloseTo(one[j], org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
            assertThat(batch[0]).isNotEqualTo(batch[d]);
        }
    }

    @Test
    void encodeImageLeavesOnlyItsResultInTheCallersManager() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = clip.normalize(m.randomUniform(0, 1, new Shape(2, 3, 16, 16)));
            int before = m.getManagedArrays().size();
            NDArray f = clip.encodeImage(x);
            assertThat(f.getShape()).isEqualTo(new Shape(2, SMALL.embedDim()));
            assertThat(f.getManager()).isSameAs(m);
            assertThat(m.getManagedArrays().size()).isEqualTo(before + 1);
        }
    }

    @Test
    void textFeaturesIgnoreTokensAfterTheEndToken() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            long eot = SMALL.vocabSize() - 1;
            long[] a = {98, 5, 17, eot, 0, 0, 0, 0};
            long[] b = {98, 5, 17, eot, 3, 44, 9, 2}; // differs only after the end token: the causal mask hides it
            long[] c = {98, 6, 17, eot, 0, 0, 0, 0};
            float[] f = clip.encodeText(m, new long[][] {a, b, c}).toFloatArray();
            int d = SMALL.embedDim();
            for (int j = 0; j < d; j++) {
                assertThat(f[d + j]).isCloseTo(f[j], org.assertj.core.data.Offset.offset(1e-6f));
            }
            boolean differs = false;
            for (int j = 0; j < d; j++) {
                differs |= Math.abs(f[2 * d + j] - f[j]) > 1e-4;
            }
            assertThat(differs).as("an earlier token changes the features").isTrue();
        }
    }

    @Test
    void textPoolingTakesTheFirstMaximum() {
        assertThat(TextTransformer.argMax(new long[] {49406, 5, 49407, 49407, 0})).isEqualTo(2);
        assertThat(TextTransformer.argMax(new long[] {0, 0, 0})).isEqualTo(0);
    }

    @Test
    void badTokensAndImagesAreRefusedWithAReason() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertThatThrownBy(() -> clip.encodeText(m, new long[][] {{1, 2, 3}}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 8");
            assertThatThrownBy(() -> clip.encodeText(m, new long[][] {{1, 2, 3, 100, 0, 0, 0, 0}}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
            assertThatThrownBy(() -> clip.encodeImage(m.zeros(new Shape(1, 3, 32, 32))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(N, 3, 16, 16)");
            assertThatThrownBy(() -> clip.encodeImage(m.zeros(new Shape(1, 3, 16, 16), DataType.FLOAT64)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float64");
        }
    }

    @Test
    void normalizeAppliesOpenAisMeanAndStd() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray px = m.create(new float[] {0f, 1f, 0.5f}, new Shape(1, 3, 1, 1));
            float[] out = clip.normalize(px).toFloatArray();
            assertThat(out[0]).isCloseTo(-0.48145466f / 0.26862954f, org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(out[1]).isCloseTo((1 - 0.4578275f) / 0.26130258f, org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(out[2]).isCloseTo((0.5f - 0.40821073f) / 0.27577711f, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void randomWeightsDependOnlyOnTheSeed() {
        try (Clip again = Clip.randomWeights(SMALL, Device.cpu(), 7);
             Clip other = Clip.randomWeights(SMALL, Device.cpu(), 8);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            long[][] tok = {{98, 5, 99, 0, 0, 0, 0, 0}};
            float[] a = clip.encodeText(m, tok).toFloatArray();
            assertThat(again.encodeText(m, tok).toFloatArray()).containsExactly(a);
            assertThat(other.encodeText(m, tok).toFloatArray()).isNotEqualTo(a);
            assertThat(clip.logitScale()).isCloseTo(1 / 0.07f, org.assertj.core.data.Offset.offset(1e-3f));
        }
    }

    @Test
    void benchmarkTimesForwardAndBackward() {
        ClipBenchmark.Result r = ClipBenchmark.run(clip, 4, 1, 2);
        assertThat(r.msForward()).isPositive();
        assertThat(r.msForwardBackward()).isPositive();
        assertThat(r.cutouts()).isEqualTo(4);
    }

    @Test
    void repeatedStepsLeaveNoArraysBehind() {
        int modelArrays = clip.weightArrayCount();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray target = m.randomNormal(new Shape(1, SMALL.embedDim())).normalize(2, -1, 1e-12);
            int callerArrays = m.getManagedArrays().size();
            for (int step = 0; step < 3; step++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x = s.randomUniform(0, 1, new Shape(2, 3, 16, 16));
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(sphericalLoss(clip, x, target));
                    }
                    assertThat(x.getGradient().abs().sum().getFloat()).isPositive();
                    clip.encodeText(s, new long[][] {{98, 5, 99, 0, 0, 0, 0, 0}});
                }
                assertThat(m.getManagedArrays().size()).as("caller's arrays after step %d", step)
                        .isEqualTo(callerArrays);
                assertThat(clip.weightArrayCount()).as("model arrays after step %d", step).isEqualTo(modelArrays);
            }
        }
    }

    @Test
    void encodesOnAGpuLikeOnTheCpu() {
        dev.vqclip.testing.GpuTests.assumeGpu();
        try (Clip gpu = Clip.randomWeights(SMALL, Device.gpu(), 7);
             NDManager cpuM = NDManager.newBaseManager(Device.cpu());
             NDManager gpuM = NDManager.newBaseManager(Device.gpu())) {
            NDArray x = cpuM.randomUniform(0, 1, new Shape(2, 3, 16, 16));
            float[] onCpu = clip.encodeImage(clip.normalize(x)).toFloatArray();
            float[] onGpu = gpu.encodeImage(gpu.normalize(x.toDevice(Device.gpu(), true))).toFloatArray();
            for (int i = 0; i < onCpu.length; i++) {
                assertThat(onGpu[i]).isCloseTo(onCpu[i], org.assertj.core.data.Offset.offset(1e-3f));
            }
            long[][] tok = {{98, 5, 99, 0, 0, 0, 0, 0}};
            assertThat(gpu.encodeText(cpuM, tok).getDevice()).isEqualTo(Device.cpu());
            assertThat(gpu.encodeText(gpuM, tok).getDevice()).isEqualTo(Device.gpu());
        }
    }
}
