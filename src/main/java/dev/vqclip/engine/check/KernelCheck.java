package dev.vqclip.engine.check;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.augment.BilinearSampler;
import dev.vqclip.engine.nn.Convs;
import dev.vqclip.engine.nn.GroupNorm;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.nn.ThreadAutograd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The engine's numerical self-check: before a model computes anything, the operations the optimisation's backward pass
 * depends on are run once on small inputs, forward and backward, and compared with an independent computation.
 * <ul>
 *   <li>every convolution shape of the model, through the kernel it is routed to, against the same convolution as
 *   per-tap matrix products in float64 ({@link Convs#tapConv2d}; no convolution kernel involved), at sizes where
 *   PyTorch hands it to oneDNN; each is run twice and must repeat bit for bit;</li>
 *   <li>group normalisation at the model's channel counts, against the formula in double precision on the host;</li>
 *   <li>the bilinear sampler of the cutouts, against a host implementation.</li>
 * </ul>
 * Where a native convolution is wrong, that shape is routed to {@link Convs.Kernel#TAPS} and checked again; the one
 * line saying so is logged as a warning. Where no configuration is right the model refuses to load
 * ({@link KernelCheckException}), rather than optimising with wrong gradients. Results are kept for the process, so
 * loading a second model with the same shapes costs nothing. See docs/architecture.md ("Right numbers on every
 * CPU") for why and what it costs.
 */
public final class KernelCheck {
    /** Relative error (max |a − b| / max |b|) above which an operation counts as wrong. */
    public static final double TOLERANCE = 1e-4;
    /** PyTorch hands a batch-1 float convolution to oneDNN when its input has more elements than this. */
    static final int ONEDNN_MIN_ELEMENTS = 20480;
    private static final Logger LOG = LoggerFactory.getLogger(KernelCheck.class);
    private static final Map<String, Result> DONE = new LinkedHashMap<>();
    private static final List<String> ACTIONS = new CopyOnWriteArrayList<>();

    /**
     * One checked operation.
     *
     * @param operation what was checked, e.g. {@code conv 64→3 3×3 at 32×32}
     * @param kernel the implementation that computed it ({@code native}, {@code taps}, {@code composed})
     * @param forwardError relative error of the output (NaN when the output had NaN)
     * @param backwardError relative error of the input gradient
     * @param repeatable whether a second run gave the same bits
     * @param micros time the check took
     */
    public record Result(String operation, String kernel, double forwardError, double backwardError,
            boolean repeatable, long micros) {
        /** @return whether both errors are within {@link #TOLERANCE} and the result repeats */
        public boolean passed() {
            return forwardError <= TOLERANCE && backwardError <= TOLERANCE && repeatable;
        }

        /** @return one line: operation, kernel, errors, verdict */
        public String describe() {
            return String.format(Locale.ROOT, "%-32s %-8s forward %-9s backward %-9s %5.1f ms  %s%s", operation,
                    kernel, fmt(forwardError), fmt(backwardError), micros / 1000.0, passed() ? "ok" : "WRONG",
                    repeatable ? "" : " (not repeatable)");
        }
    }

    private KernelCheck() {
    }

    /**
     * Checks what a model about to be used needs, once per process, and reroutes convolutions whose native kernel
     * is wrong.
     *
     * @param convs the model's convolution shapes
     * @param normChannels channel counts its group normalisations see
     * @param groups normalisation groups
     * @param device where the model computes
     * @throws KernelCheckException when an operation is wrong and no alternative is right
     */
    public static synchronized void ensure(Collection<Convs.Signature> convs, Collection<Integer> normChannels,
            int groups, Device device) {
        if ("off".equals(System.getProperty("vqclip.selfCheck"))) {
            // for measurements only: what the engine computes without the check
            return;
        }
        List<String> rerouted = new ArrayList<>();
        for (Convs.Signature s : convs) {
            String key = device + " " + s;
            if (DONE.containsKey(key)) {
                continue;
            }
            Result r = worst(checkConv(s, device));
            if (!r.passed() && Convs.kernelFor(s) == Convs.Kernel.NATIVE) {
                rerouted.add("conv " + s);
                Convs.route(s, Convs.Kernel.TAPS);
                Result again = worst(checkConv(s, device));
                if (!again.passed()) {
                    Convs.route(s, Convs.Kernel.NATIVE);
                    throw new KernelCheckException("self-check: convolution " + s + " is wrong on this machine "
                            + "with the native kernel (" + r.describe().trim() + ") and with per-tap products ("
                            + again.describe().trim() + "); refusing to compute wrong gradients. Please report "
                            + "the output of 'vqclip doctor'.");
                }
                String action = "conv " + s + ": the native kernel is wrong here (forward " + fmt(r.forwardError())
                        + ", input gradient " + fmt(r.backwardError()) + (r.repeatable() ? "" : ", not repeatable")
                        + "); using per-tap matrix products instead, re-checked right (" + fmt(again.backwardError())
                        + ")";
                ACTIONS.add(action);
                r = again;
            }
            // already on the per-tap route (rerouted for another device) and still wrong
            requirePassed(r);
            DONE.put(key, r);
        }
        for (int c : normChannels) {
            String key = device + " groupnorm " + c;
            if (!DONE.containsKey(key)) {
                Result r = checkGroupNorm(c, groups, device);
                requirePassed(r);
                DONE.put(key, r);
            }
        }
        String key = device + " sampler";
        if (!DONE.containsKey(key)) {
            Result r = checkSampler(device);
            requirePassed(r);
            DONE.put(key, r);
        }
        if (!rerouted.isEmpty()) {
            LOG.warn("self-check: {} convolution shape(s) wrong with this machine's native kernels ({}); they now use "
                    + "per-tap matrix products, re-checked right ('vqclip doctor' for details)", rerouted.size(),
                    String.join(", ", rerouted));
        }
    }

    /**
     * Runs every check again (ignoring what is known), without changing any route: for {@code vqclip doctor}.
     *
     * @return one result per operation and size
     */
    public static List<Result> run(Collection<Convs.Signature> convs, Collection<Integer> normChannels, int groups,
            Device device) {
        List<Result> out = new ArrayList<>();
        for (Convs.Signature s : convs) {
            out.addAll(checkConv(s, device));
        }
        for (int c : normChannels) {
            out.add(checkGroupNorm(c, groups, device));
        }
        out.add(checkSampler(device));
        return out;
    }

    /** @return what the checks of this process did besides checking, one line each (empty: nothing changed) */
    public static List<String> actions() {
        return List.copyOf(ACTIONS);
    }

    /** @return the results kept so far in this process */
    public static synchronized List<Result> results() {
        return List.copyOf(DONE.values());
    }

    /** Forgets all results and routes (tests). */
    public static synchronized void reset() {
        DONE.clear();
        ACTIONS.clear();
        Convs.resetRoutes();
    }

    /** @return the input sizes a convolution shape is checked at */
    static List<Integer> probeSizes(Convs.Signature s) {
        int needed = (int) Math.ceil(Math.sqrt((ONEDNN_MIN_ELEMENTS + 1.0) / s.in())) + s.stride();
        boolean few = s.in() <= 16 || s.out() <= 16;
        if (few) {
            // the cheap shapes, and the class seen wrong (from 20×20 up): also at a second, larger size
            int first = Math.max(24, needed);
            return first >= 48 ? List.of(first) : List.of(first, 48);
        }
        return List.of(Math.max(8, needed));
    }

    private static List<Result> checkConv(Convs.Signature s, Device device) {
        List<Result> out = new ArrayList<>();
        for (int size : probeSizes(s)) {
            out.add(checkConv(s, size, device));
        }
        return out;
    }

    private static Result checkConv(Convs.Signature s, int size, Device device) {
        long t0 = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(31L * s.hashCode() + size);
        long[] xShape = {1, s.in(), size, size};
        long[] wShape = {s.out(), s.in(), s.kernel(), s.kernel()};
        int outSize = (size + 2 * s.padding() - s.kernel()) / s.stride() + 1;
        long[] yShape = {1, s.out(), outSize, outSize};
        double bound = 1 / Math.sqrt((double) s.in() * s.kernel() * s.kernel());
        double[] x = uniform(rnd, xShape, 1);
        double[] w = uniform(rnd, wShape, bound);
        double[] b = uniform(rnd, new long[] {s.out()}, bound);
        double[] r = uniform(rnd, yShape, 1);
        UnaryOperator<NDArray> f32 = in -> {
            NDManager m = in.getManager();
            try (NDArray wt = host(m, w, wShape, DataType.FLOAT32); NDArray bt = host(m, b, new long[] {s.out()},
                    DataType.FLOAT32)) {
                return Convs.conv2d(in, wt, bt, s.stride(), s.padding());
            }
        };
        UnaryOperator<NDArray> f64 = in -> {
            NDManager m = in.getManager();
            try (NDArray wt = host(m, w, wShape, DataType.FLOAT64); NDArray bt = host(m, b, new long[] {s.out()},
                    DataType.FLOAT64)) {
                return Convs.tapConv2d(in, wt, bt, s.stride(), s.padding());
            }
        };
        double[][] got = forwardBackward(f32, x, xShape, r, yShape, DataType.FLOAT32, device);
        double[][] again = forwardBackward(f32, x, xShape, r, yShape, DataType.FLOAT32, device);
        double[][] want = forwardBackward(f64, x, xShape, r, yShape, DataType.FLOAT64, device);
        String kernel = Convs.kernelFor(s).name().toLowerCase(Locale.ROOT);
        return new Result("conv " + s + " at " + size + "×" + size, kernel, relError(got[0], want[0]),
                relError(got[1], want[1]), sameBits(got, again), (System.nanoTime() - t0) / 1000);
    }

    private static Result checkGroupNorm(int channels, int groups, Device device) {
        long t0 = System.nanoTime();
        int size = 8;
        SplittableRandom rnd = new SplittableRandom(channels * 7919L);
        long[] shape = {1, channels, size, size};
        double[] x = uniform(rnd, shape, 2);
        for (int i = 0; i < x.length; i++) {
            x[i] += 0.5;
        }
        double[] gamma = uniform(rnd, new long[] {channels}, 1);
        double[] beta = uniform(rnd, new long[] {channels}, 1);
        double[] r = uniform(rnd, shape, 1);
        double eps = 1e-6;
        UnaryOperator<NDArray> op = in -> {
            NDManager m = in.getManager();
            try (NDArray g = host(m, gamma, new long[] {channels}, DataType.FLOAT32);
                 NDArray bt = host(m, beta, new long[] {channels}, DataType.FLOAT32)) {
                return GroupNorm.apply(in, groups, g, bt, (float) eps);
            }
        };
        double[][] got = forwardBackward(op, x, shape, r, shape, DataType.FLOAT32, device);
        double[][] again = forwardBackward(op, x, shape, r, shape, DataType.FLOAT32, device);
        double[][] want = HostReference.groupNorm(x, channels, size * size, groups, gamma, beta, eps, r);
        return new Result("group norm " + channels + " ch / " + groups, "composed", relError(got[0], want[0]),
                relError(got[1], want[1]), sameBits(got, again), (System.nanoTime() - t0) / 1000);
    }

    private static Result checkSampler(Device device) {
        long t0 = System.nanoTime();
        int c = 3;
        int h = 16;
        int w = 16;
        int ho = 12;
        int wo = 12;
        SplittableRandom rnd = new SplittableRandom(12345);
        long[] inShape = {1, c, h, w};
        long[] outShape = {1, c, ho, wo};
        double[] img = uniform(rnd, inShape, 1);
        double[] px = new double[ho * wo];
        double[] py = new double[ho * wo];
        for (int i = 0; i < px.length; i++) {
            px[i] = rnd.nextDouble() * (w - 1);
            py[i] = rnd.nextDouble() * (h - 1);
        }
        double[] r = uniform(rnd, outShape, 1);
        UnaryOperator<NDArray> op = in -> {
            NDManager m = in.getManager();
            try (NDArray xs = host(m, px, new long[] {1, ho, wo}, DataType.FLOAT32);
                 NDArray ys = host(m, py, new long[] {1, ho, wo}, DataType.FLOAT32)) {
                return BilinearSampler.sample(in, xs, ys, BilinearSampler.Padding.BORDER);
            }
        };
        double[][] got = forwardBackward(op, img, inShape, r, outShape, DataType.FLOAT32, device);
        double[][] again = forwardBackward(op, img, inShape, r, outShape, DataType.FLOAT32, device);
        // the host reference reads the coordinates as the float32 values the sampler saw
        double[] fx = new double[px.length];
        double[] fy = new double[py.length];
        for (int i = 0; i < px.length; i++) {
            fx[i] = (float) px[i];
            fy[i] = (float) py[i];
        }
        double[][] want = HostReference.bilinear(img, c, h, w, fx, fy, r);
        return new Result("bilinear sampler " + h + "×" + w + "→" + ho + "×" + wo, "composed",
                relError(got[0], want[0]), relError(got[1], want[1]), sameBits(got, again),
                (System.nanoTime() - t0) / 1000);
    }

    /**
     * Runs {@code op} on {@code x} (of type {@code type}) with gradient recording on the calling thread and returns
     * the output and the input gradient of {@code Σ op(x)·r}, both as doubles.
     */
    private static double[][] forwardBackward(UnaryOperator<NDArray> op, double[] x, long[] xShape, double[] r,
            long[] yShape, DataType type, Device device) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray in = host(m, x, xShape, type);
            NDArray weights = host(m, r, yShape, type);
            in.setRequiresGradient(true);
            try (ThreadAutograd autograd = ThreadAutograd.open()) {
                NDArray y = op.apply(in);
                if (!y.getShape().equals(new Shape(yShape))) {
                    throw new IllegalStateException("self-check: output " + y.getShape() + ", expected "
                            + new Shape(yShape));
                }
                NDArray loss = y.mul(weights).sum();
                autograd.backward(loss);
                return new double[][] {toDoubles(y), toDoubles(in.getGradient())};
            }
        }
    }

    private static void requirePassed(Result r) {
        if (!r.passed()) {
            throw new KernelCheckException("self-check: " + r.describe().trim() + " on this machine; refusing to "
                    + "compute wrong gradients. Please report the output of 'vqclip doctor'.");
        }
    }

    private static Result worst(List<Result> results) {
        Result worst = results.get(0);
        for (Result r : results) {
            if (!r.passed() && worst.passed() || severity(r) > severity(worst)) {
                worst = r;
            }
        }
        return worst;
    }

    private static double severity(Result r) {
        double e = Math.max(r.forwardError(), r.backwardError());
        return Double.isNaN(r.forwardError()) || Double.isNaN(r.backwardError()) ? Double.POSITIVE_INFINITY : e;
    }

    static double relError(double[] got, double[] want) {
        double scale = 0;
        for (double v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            worst = Math.max(worst, d);
        }
        return worst / Math.max(scale, 1e-30);
    }

    private static boolean sameBits(double[][] a, double[][] b) {
        for (int k = 0; k < a.length; k++) {
            for (int i = 0; i < a[k].length; i++) {
                if (Double.doubleToRawLongBits(a[k][i]) != Double.doubleToRawLongBits(b[k][i])) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double[] uniform(SplittableRandom rnd, long[] shape, double bound) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            // rounded to float so that the float32 and float64 computations see the same numbers
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    private static NDArray host(NDManager m, double[] v, long[] shape, DataType type) {
        if (type == DataType.FLOAT64) {
            return Tensors.fromHost(m, v, new Shape(shape));
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensors.fromHost(m, f, new Shape(shape));
    }

    private static double[] toDoubles(NDArray a) {
        if (a.getDataType() == DataType.FLOAT64) {
            return a.toDoubleArray();
        }
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static String fmt(double e) {
        return Double.isNaN(e) ? "NaN" : String.format(Locale.ROOT, "%.1e", e);
    }
}
