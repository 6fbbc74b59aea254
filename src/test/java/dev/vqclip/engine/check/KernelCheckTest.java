package dev.vqclip.engine.check;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.nn.Convs;
import dev.vqclip.engine.nn.ThreadAutograd;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.vqgan.VqganConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class KernelCheckTest {
    private static final Convs.Signature CONV_OUT = new Convs.Signature(64, 3, 3, 1, 1);

    @BeforeEach
    @AfterEach
    void clean() {
        Convs.simulateFault(false);
        KernelCheck.reset();
    }

    @Test
    void tapProductsMatchTheConvolutionComputedInFloat64ForwardAndBackward() {
        // the reference is PyTorch's float64 convolution, which oneDNN does not compute (right on every CPU); where
        // this machine's float32 kernel is right for a shape, the tap products match it too
        for (Convs.Signature s : List.of(CONV_OUT, new Convs.Signature(8, 16, 3, 2, 0),
                new Convs.Signature(16, 8, 1, 1, 0), new Convs.Signature(4, 6, 5, 1, 2))) {
            double[][] taps = run(s, 21, Mode.TAPS);
            double[][] f64 = run(s, 21, Mode.NATIVE_FLOAT64);
            assertThat(KernelCheck.relError(taps[0], f64[0])).as("forward " + s).isLessThan(1e-5);
            assertThat(KernelCheck.relError(taps[1], f64[1])).as("input gradient " + s).isLessThan(1e-5);
            if (nativeRightHere(s)) {
                double[][] nat = run(s, 21, Mode.NATIVE);
                assertThat(KernelCheck.relError(taps[0], nat[0])).as("forward " + s).isLessThan(1e-5);
                assertThat(KernelCheck.relError(taps[1], nat[1])).as("input gradient " + s).isLessThan(1e-5);
            }
        }
    }

    @Test
    void everyShapeWrongOnThisMachineIsReroutedAndTheRestIsLeftAlone() {
        // where the default kernels are right (most CPUs) nothing is rerouted; where one is wrong (seen: conv_out's
        // input gradient on an AMD EPYC with AVX-512) exactly that shape is, and re-checked right
        Set<Convs.Signature> shapes = Set.of(CONV_OUT, new Convs.Signature(64, 64, 3, 1, 1));
        List<KernelCheck.Result> results = KernelCheck.run(shapes, Set.of(64), 32, Device.cpu());
        assertThat(results).hasSize(2 + 1 + 1 + 1);
        assertThat(results).filteredOn(r -> !r.operation().startsWith("conv"))
                .allSatisfy(r -> assertThat(r.passed()).as(r.describe()).isTrue());
        Set<Convs.Signature> wrong = new java.util.HashSet<>();
        for (Convs.Signature s : shapes) {
            if (results.stream().anyMatch(r -> r.operation().startsWith("conv " + s + " ") && !r.passed())) {
                wrong.add(s);
            }
        }
        KernelCheck.reset();
        KernelCheck.ensure(shapes, Set.of(64), 32, Device.cpu());
        assertThat(Convs.routes().keySet()).isEqualTo(wrong);
        assertThat(KernelCheck.actions()).hasSize(wrong.size());
        assertThat(KernelCheck.results()).allSatisfy(r -> assertThat(r.passed()).as(r.describe()).isTrue());
    }

    @Test
    void aWrongInputGradientIsFoundAndThatShapeIsRerouted() {
        boolean nativeRight = nativeRightHere(CONV_OUT);
        Convs.simulateFault(true);
        List<KernelCheck.Result> seen = KernelCheck.run(Set.of(CONV_OUT), Set.of(), 32, Device.cpu());
        assertThat(seen).filteredOn(r -> r.operation().startsWith("conv")).hasSize(2).allSatisfy(r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.forwardError()).isLessThan(1e-5);
            if (nativeRight) {
                // the simulated fault alone: the input gradient 11 times too large
                assertThat(r.backwardError()).isCloseTo(10.0, within(1e-3));
            }
        });

        KernelCheck.ensure(Set.of(CONV_OUT, new Convs.Signature(64, 64, 3, 1, 1)), Set.of(64), 32, Device.cpu());
        assertThat(Convs.routes()).containsOnlyKeys(CONV_OUT);
        assertThat(Convs.kernelFor(CONV_OUT)).isEqualTo(Convs.Kernel.TAPS);
        assertThat(KernelCheck.actions()).singleElement().asString().contains("64→3 3×3").contains("per-tap");
        assertThat(KernelCheck.results()).allSatisfy(r -> assertThat(r.passed()).as(r.describe()).isTrue());
        // through the routed kernel the gradient is right again
        double[][] routed = run(CONV_OUT, 32, Mode.NATIVE);
        Convs.simulateFault(false);
        double[][] reference = run(CONV_OUT, 32, Mode.NATIVE_FLOAT64);
        assertThat(KernelCheck.relError(routed[1], reference[1])).isLessThan(1e-5);
    }

    /** @return whether this machine's native float32 kernel computes {@code s} right (the self-check, no fault simulated) */
    private static boolean nativeRightHere(Convs.Signature s) {
        boolean simulated = Convs.faultSimulated();
        Convs.simulateFault(false);
        try {
            return KernelCheck.run(Set.of(s), Set.of(), 32, Device.cpu()).stream().allMatch(KernelCheck.Result::passed);
        } finally {
            Convs.simulateFault(simulated);
            KernelCheck.reset();
        }
    }

    @Test
    void aModelLoadChecksItsShapesOnceAndReroutesOnlyTheWrongOnes() {
        Convs.simulateFault(true);
        VqganConfig cfg = VqganConfig.builtin("vqgan_imagenet_f16_16384");
        VqganConfig small = new VqganConfig("small", cfg.variant(), 16, 32, false, 16, 64, 3, 3, 32, List.of(1, 2),
                1, List.of(), 0);
        try (Vqgan vq = Vqgan.randomWeights(small, Device.cpu(), 1)) {
            assertThat(vq.convSignatures()).contains(new Convs.Signature(32, 3, 3, 1, 1),
                    new Convs.Signature(32, 32, 3, 2, 0), new Convs.Signature(64, 32, 1, 1, 0));
            assertThat(vq.normChannels()).containsExactly(32, 64);
            assertThat(Convs.routes()).containsOnlyKeys(new Convs.Signature(32, 3, 3, 1, 1));
            int checked = KernelCheck.results().size();
            try (Vqgan again = Vqgan.randomWeights(small, Device.cpu(), 2)) {
                assertThat(KernelCheck.results()).hasSize(checked);
                assertThat(KernelCheck.actions()).hasSize(1);
            }
        }
    }

    @Test
    void hostReferencesAgreeWithFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] x = new double[2 * 4];
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble();
            r[i] = rnd.nextDouble() - 0.5;
        }
        double[] gamma = {1.5, -0.7};
        double[] beta = {0.1, 0.2};
        double[][] gn = HostReference.groupNorm(x, 2, 4, 1, gamma, beta, 1e-6, r);
        for (int i = 0; i < x.length; i++) {
            double h = 1e-6;
            double[] xp = x.clone();
            xp[i] += h;
            double[] xm = x.clone();
            xm[i] -= h;
            double fd = (dot(HostReference.groupNorm(xp, 2, 4, 1, gamma, beta, 1e-6, r)[0], r)
                    - dot(HostReference.groupNorm(xm, 2, 4, 1, gamma, beta, 1e-6, r)[0], r)) / (2 * h);
            assertThat(gn[1][i]).isCloseTo(fd, within(1e-6));
        }
        double[] img = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        double[][] bl = HostReference.bilinear(img, 1, 3, 3, new double[] {0.5, 2}, new double[] {1, 2},
                new double[] {1, 1});
        assertThat(bl[0]).containsExactly(3.5, 8.0);
        assertThat(bl[1]).containsExactly(0, 0, 0, 0.5, 0.5, 0, 0, 0, 1);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** How {@link #run} computes the convolution. */
    private enum Mode {
        /** {@link Convs#conv2d}: the routed kernel, in float32. */
        NATIVE,
        /** {@link Convs#tapConv2d} in float32. */
        TAPS,
        /** PyTorch's convolution in float64 (not a oneDNN kernel), the results rounded to float32. */
        NATIVE_FLOAT64
    }

    /** Output and input gradient of Σ conv(x)·r. */
    private static double[][] run(Convs.Signature s, int size, Mode mode) {
        SplittableRandom rnd = new SplittableRandom(s.hashCode());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = random(m, rnd, 1, new Shape(1, s.in(), size, size));
            NDArray w = random(m, rnd, 0.1, new Shape(s.out(), s.in(), s.kernel(), s.kernel()));
            NDArray b = random(m, rnd, 0.1, new Shape(s.out()));
            if (mode == Mode.NATIVE_FLOAT64) {
                x = x.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                w = w.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                b = b.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
            }
            x.setRequiresGradient(true);
            try (ThreadAutograd ag = ThreadAutograd.open()) {
                NDArray y = switch (mode) {
                    case TAPS -> Convs.tapConv2d(x, w, b, s.stride(), s.padding());
                    case NATIVE -> Convs.conv2d(x, w, b, s.stride(), s.padding());
                    case NATIVE_FLOAT64 -> Convs.nativeConv2d(x, w, b, s.stride(), s.padding());
                };
                float[] rv = new float[(int) y.size()];
                for (int i = 0; i < rv.length; i++) {
                    rv[i] = (float) (rnd.nextDouble() - 0.5);
                }
                NDArray rr = m.create(rv, y.getShape()).toType(y.getDataType(), false);
                ag.backward(y.mul(rr).sum());
                return new double[][] {toD(y.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray()),
                    toD(x.getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray())};
            }
        }
    }

    private static NDArray random(NDManager m, SplittableRandom rnd, double bound, Shape shape) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return m.create(v, shape);
    }

    private static double[] toD(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
