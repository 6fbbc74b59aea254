package dev.vqclip.engine.augment;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.augment.BilinearSampler.Padding;
import dev.vqclip.testing.FiniteDifferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BilinearSamplerTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 5;
    private static final int W = 7;

    private NDManager manager;
    private float[] pixels;
    private NDArray input;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        SplittableRandom r = new SplittableRandom(7);
        pixels = new float[N * C * H * W];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextDouble();
        }
        input = manager.create(pixels, new Shape(N, C, H, W));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private float px(int n, int c, int y, int x) {
        return pixels[((n * C + c) * H + y) * W + x];
    }

    /** Coordinates of an Ho×Wo output: value(n, i, j). */
    private NDArray coords(int ho, int wo, CoordFn f) {
        float[] a = new float[N * ho * wo];
        for (int n = 0; n < N; n++) {
            for (int i = 0; i < ho; i++) {
                for (int j = 0; j < wo; j++) {
                    a[(n * ho + i) * wo + j] = (float) f.at(n, i, j);
                }
            }
        }
        return manager.create(a, new Shape(N, ho, wo));
    }

    interface CoordFn {
        double at(int n, int i, int j);
    }

    /** Plain-Java bilinear sample, the definition the sampler must meet. */
    private double reference(int n, int c, double x, double y, Padding padding) {
        if (padding == Padding.BORDER) {
            x = Math.min(Math.max(x, 0), W - 1);
            y = Math.min(Math.max(y, 0), H - 1);
        }
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        double sum = 0;
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                int xx = x0 + dx;
                int yy = y0 + dy;
                double wgt = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
                if (wgt == 0) {
                    continue;
                }
                if (xx < 0 || xx >= W || yy < 0 || yy >= H) {
                    if (padding == Padding.ZEROS) {
                        continue;
                    }
                    throw new AssertionError("border coordinates were clamped");
                }
                sum += wgt * px(n, c, yy, xx);
            }
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(Padding.class)
    void identityCoordinatesReproduceTheInputExactly(Padding padding) {
        NDArray out = BilinearSampler.sample(input, coords(H, W, (n, i, j) -> j), coords(H, W, (n, i, j) -> i),
                padding);
        assertThat(out.getShape()).isEqualTo(new Shape(N, C, H, W));
        assertThat(out.toFloatArray()).containsExactly(pixels);
    }

    @Test
    void integerTranslationShiftsTheImageAndRepeatsTheBorder() {
        NDArray out = BilinearSampler.sample(input, coords(H, W, (n, i, j) -> j + 2),
                coords(H, W, (n, i, j) -> i - 1), Padding.BORDER);
        float[] o = out.toFloatArray();
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int i = 0; i < H; i++) {
                    for (int j = 0; j < W; j++) {
                        float expected = px(n, c, Math.max(i - 1, 0), Math.min(j + 2, W - 1));
                        assertThat(o[((n * C + c) * H + i) * W + j]).as("n%d c%d (%d,%d)", n, c, i, j)
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void halfPixelShiftAveragesNeighbours() {
        NDArray out = BilinearSampler.sample(input, coords(H, W - 1, (n, i, j) -> j + 0.5),
                coords(H, W - 1, (n, i, j) -> i), Padding.BORDER);
        float[] o = out.toFloatArray();
        for (int i = 0; i < H; i++) {
            for (int j = 0; j < W - 1; j++) {
                double expected = (px(1, 2, i, j) + px(1, 2, i, j + 1)) / 2.0;
                assertThat((double) o[((C + 2) * H + i) * (W - 1) + j]).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void zerosPaddingFadesToZeroWithinOnePixelOutside() {
        double[] xs = {-0.5, -1, -3, W - 1 + 0.25, W, 2};
        NDArray out = BilinearSampler.sample(input, coords(1, xs.length, (n, i, j) -> xs[j]),
                coords(1, xs.length, (n, i, j) -> 1), Padding.ZEROS);
        float[] o = out.toFloatArray(); // n0 c0 first
        assertThat((double) o[0]).isCloseTo(0.5 * px(0, 0, 1, 0), within(1e-7));
        assertThat(o[1]).isZero();
        assertThat(o[2]).isZero();
        assertThat((double) o[3]).isCloseTo(0.75 * px(0, 0, 1, W - 1), within(1e-7));
        assertThat(o[4]).isZero();
        assertThat(o[5]).isEqualTo(px(0, 0, 1, 2));
    }

    @ParameterizedTest
    @EnumSource(Padding.class)
    void matchesTheBilinearDefinitionAtRandomPointsInAndAroundTheImage(Padding padding) {
        Points p = Points.random(new SplittableRandom(11), 6, 9, 2.5, 1.5);
        int ho = p.ho();
        int wo = p.wo();
        NDArray out = BilinearSampler.sample(input, coords(ho, wo, (n, i, j) -> p.xs()[(n * ho + i) * wo + j]),
                coords(ho, wo, (n, i, j) -> p.ys()[(n * ho + i) * wo + j]), padding);
        float[] o = out.toFloatArray();
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int k = 0; k < ho * wo; k++) {
                    int at = n * ho * wo + k;
                    // the coordinates went through float32 on the way in
                    double expected = reference(n, c, (float) p.xs()[at], (float) p.ys()[at], padding);
                    assertThat((double) o[(n * C + c) * ho * wo + k]).as("n%d c%d point %d", n, c, k)
                            .isCloseTo(expected, within(2e-6));
                }
            }
        }
    }

    @Test
    void gridSampleWithAlignCornersMapsMinusOneAndOneToTheOuterPixelCentres() {
        float[] g = new float[N * 1 * 2 * 2];
        // point 0: (-1, -1); point 1: (1, 1)
        for (int n = 0; n < N; n++) {
            g[n * 4] = -1;
            g[n * 4 + 1] = -1;
            g[n * 4 + 2] = 1;
            g[n * 4 + 3] = 1;
        }
        NDArray grid = manager.create(g, new Shape(N, 1, 2, 2));
        float[] o = BilinearSampler.gridSample(input, grid, true, Padding.ZEROS).toFloatArray();
        assertThat(o[0]).isEqualTo(px(0, 0, 0, 0));
        assertThat(o[1]).isCloseTo(px(0, 0, H - 1, W - 1), within(1e-6f));
        // without align_corners, ±1 are the outer edges: half a pixel out, so zeros padding halves (both axes: ¼)
        float[] e = BilinearSampler.gridSample(input, grid, false, Padding.ZEROS).toFloatArray();
        assertThat(e[0]).isCloseTo(px(0, 0, 0, 0) / 4, within(1e-6f));
        assertThat(e[1]).isCloseTo(px(0, 0, H - 1, W - 1) / 4, within(1e-6f));
    }

    @Test
    void gridSampleWithoutAlignCornersReproducesTheInputOnPixelCentres() {
        float[] g = new float[N * H * W * 2];
        for (int n = 0; n < N; n++) {
            for (int i = 0; i < H; i++) {
                for (int j = 0; j < W; j++) {
                    int k = ((n * H + i) * W + j) * 2;
                    g[k] = (2f * j + 1) / W - 1;
                    g[k + 1] = (2f * i + 1) / H - 1;
                }
            }
        }
        NDArray out = BilinearSampler.gridSample(input, manager.create(g, new Shape(N, H, W, 2)), false,
                Padding.BORDER);
        float[] o = out.toFloatArray();
        for (int k = 0; k < o.length; k++) {
            assertThat(o[k]).isCloseTo(pixels[k], within(2e-6f));
        }
    }

    @ParameterizedTest
    @EnumSource(Padding.class)
    void gradientWithRespectToTheInputMatchesFiniteDifferences(Padding padding) {
        SplittableRandom r = new SplittableRandom(5);
        Points p = Points.random(r, 4, 6, 1.5, 0.5);
        int ho = p.ho();
        int wo = p.wo();
        double[] img = new double[pixels.length];
        for (int k = 0; k < img.length; k++) {
            img[k] = pixels[k];
        }
        double[] weights = new double[N * C * ho * wo];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = r.nextDouble(-1, 1);
        }
        NDArray x = p.x(manager);
        NDArray y = p.y(manager);
        NDArray w = manager.create(weights, new Shape(N, C, ho, wo));
        NDArray in = manager.create(img, new Shape(N, C, H, W));
        in.setRequiresGradient(true);
        double[] grad;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = BilinearSampler.sample(in, x, y, padding).mul(w).sum();
            gc.backward(loss);
            grad = in.getGradient().toDoubleArray();
        }
        int nonZero = FiniteDifferences.assertGradientMatches("input", img, grad, 5, 1e-3, 1e-9,
                v -> loss(v, x, y, w, padding));
        assertThat(nonZero).isGreaterThan(5);
    }

    /**
     * {@code N × ho × wo} sample points drawn uniformly from {@code before} pixels before the image to {@code after}
     * pixels after its last pixel, x then y for each point; {@link #x}/{@link #y} give them in double precision.
     */
    private record Points(int ho, int wo, double[] xs, double[] ys) {
        static Points random(SplittableRandom r, int ho, int wo, double before, double after) {
            double[] xs = new double[N * ho * wo];
            double[] ys = new double[xs.length];
            for (int k = 0; k < xs.length; k++) {
                xs[k] = r.nextDouble(-before, W + after);
                ys[k] = r.nextDouble(-before, H + after);
            }
            return new Points(ho, wo, xs, ys);
        }

        NDArray x(NDManager m) {
            return m.create(xs, new Shape(N, ho, wo));
        }

        NDArray y(NDManager m) {
            return m.create(ys, new Shape(N, ho, wo));
        }
    }

    private double loss(double[] img, NDArray x, NDArray y, NDArray w, Padding padding) {
        try (NDManager m = manager.newSubManager()) {
            NDArray in = m.create(img, new Shape(N, C, H, W));
            return BilinearSampler.sample(in, x, y, padding).mul(w).sum().getDouble();
        }
    }

    /**
     * Parity with a native PyTorch kernel: bilinear {@code interpolate} (align_corners false) to a larger size is a
     * sample at {@code src = (in/out)·(dst + ½) − ½} clamped at 0, with the last pixel repeated; forward values and
     * input gradients must agree. (Only enlargements: DJL 0.36's {@code interpolation(size, 1, …)} is antialiased
     * when shrinking and ignores its align-corners flag.)
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"9, 11", "12, 13", "5, 7", "17, 8"})
    void matchesTorchsBilinearInterpolate(int ho, int wo) {
        double sy = H / (double) ho;
        double sx = W / (double) wo;
        NDArray x = coords(ho, wo, (n, i, j) -> Math.max(sx * (j + 0.5) - 0.5, 0));
        NDArray y = coords(ho, wo, (n, i, j) -> Math.max(sy * (i + 0.5) - 0.5, 0));
        SplittableRandom r = new SplittableRandom(3);
        float[] wts = new float[N * C * ho * wo];
        for (int k = 0; k < wts.length; k++) {
            wts[k] = (float) r.nextDouble(-1, 1);
        }
        NDArray w = manager.create(wts, new Shape(N, C, ho, wo));
        NDArray a = input.duplicate();
        NDArray b = input.duplicate();
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        float[] ours;
        float[] torch;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray mine = BilinearSampler.sample(a, x, y, Padding.BORDER);
            NDArray native_ = b.getNDArrayInternal().interpolation(new long[] {ho, wo}, 1, false);
            ours = mine.toFloatArray();
            torch = native_.toFloatArray();
            gc.backward(mine.mul(w).sum().add(native_.mul(w).sum()));
        }
        float[] ga = a.getGradient().toFloatArray();
        float[] gb = b.getGradient().toFloatArray();
        double worst = 0;
        for (int k = 0; k < ours.length; k++) {
            worst = Math.max(worst, Math.abs(ours[k] - torch[k]));
        }
        double worstGrad = 0;
        for (int k = 0; k < ga.length; k++) {
            worstGrad = Math.max(worstGrad, Math.abs(ga[k] - gb[k]));
        }
        System.out.printf("parity sampler vs torch bilinear %dx%d: max|Δ| %.2g, grad max|Δ| %.2g%n", ho, wo, worst,
                worstGrad);
        assertThat(worst).isLessThan(1e-6);
        assertThat(worstGrad).isLessThan(1e-5);
    }

    @Test
    void sampleFromAOneRowImage() {
        NDArray row = manager.create(new float[] {1, 2, 4, 8}, new Shape(1, 1, 1, 4));
        NDArray x = manager.create(new float[] {1.5f, 3f, 5f, -1f}, new Shape(1, 1, 4));
        NDArray y = manager.create(new float[] {0.7f, 0f, 0f, 0.5f}, new Shape(1, 1, 4));
        assertThat(BilinearSampler.sample(row, x, y, Padding.BORDER).toFloatArray()).containsExactly(3f, 8f, 8f, 1f);
        // zeros: y = 0.7 is 0.7 of the way to the (zero) row below; x = 5 and x = -1 are a full pixel out
        float[] z = BilinearSampler.sample(row, x, y, Padding.ZEROS).toFloatArray();
        assertThat(z[0]).isCloseTo(0.3f * 3f, within(1e-6f));
        assertThat(z[1]).isEqualTo(8f);
        assertThat(z[2]).isZero();
        assertThat(z[3]).isZero();
    }

    @Test
    void keepsTheInputsDataTypeAndLeavesOnlyTheResultBehind() {
        try (NDManager m = manager.newSubManager()) {
            NDArray in = m.create(new double[4 * 4], new Shape(1, 1, 4, 4));
            NDArray x = m.zeros(new Shape(1, 2, 2), DataType.FLOAT32);
            NDArray y = m.zeros(new Shape(1, 2, 2), DataType.FLOAT32);
            int before = ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
            NDArray out = BilinearSampler.sample(in, x, y, Padding.ZEROS);
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(((ai.djl.ndarray.BaseNDManager) m).getManagedArrays()).hasSize(before + 1).contains(out);
        }
    }

    @Test
    void rejectsCoordinatesThatDoNotFitTheInput() {
        NDArray x = manager.zeros(new Shape(N + 1, 2, 2));
        assertThatThrownBy(() -> BilinearSampler.sample(input, x, x, Padding.BORDER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("N = 2");
        NDArray a = manager.zeros(new Shape(N, 2, 2));
        NDArray b = manager.zeros(new Shape(N, 2, 3));
        assertThatThrownBy(() -> BilinearSampler.sample(input, a, b, Padding.BORDER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 2, 3)");
        assertThatThrownBy(() -> BilinearSampler.sample(manager.zeros(new Shape(3, 4)), a, a, Padding.BORDER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("N×C×H×W");
        assertThatThrownBy(() -> BilinearSampler.gridSample(input, a, true, Padding.BORDER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("N×Ho×Wo×2");
    }
}
