package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 2-D convolutions (NCHW input, OIHW weights), computed by one of two kernels chosen per convolution shape.
 * <ul>
 *   <li>{@link Kernel#NATIVE}: PyTorch's own convolution (on the CPU usually oneDNN's JIT kernels), the default;</li>
 *   <li>{@link Kernel#TAPS}: the same convolution written as matrix products per kernel tap and shifted windows
 *   ({@link #tapConv2d}). Its forward and backward passes use only slicing, padding and general matrix products,
 *   none of the convolution kernels, so a wrong native convolution kernel cannot reach it.</li>
 * </ul>
 * The engine's numerical self-check ({@code dev.vqclip.engine.check.KernelCheck}) routes a shape to {@code TAPS} when
 * the native kernel gives wrong numbers for it on this machine (seen: oneDNN's input gradient of a 3×3 convolution to
 * few channels on an AMD EPYC with AVX-512).
 */
public final class Convs {
    /** Which implementation computes a convolution. */
    public enum Kernel {
        /** PyTorch's convolution operator. */
        NATIVE,
        /** One matrix product per kernel tap (no convolution kernel involved). */
        TAPS
    }

    /**
     * A convolution's shape, independent of the input size.
     *
     * @param in input channels
     * @param out output channels
     * @param kernel square kernel size
     * @param stride the same stride along both axes
     * @param padding the same zero padding on all sides
     */
    public record Signature(int in, int out, int kernel, int stride, int padding) {
        /** @return e.g. {@code 64→3 3×3} (with {@code /2} for stride 2) */
        @Override
        public String toString() {
            return in + "→" + out + " " + kernel + "×" + kernel + (stride == 1 ? "" : " /" + stride);
        }
    }

    private static final Shape ONE = new Shape(1, 1);
    private static final Shape ZERO = new Shape(0, 0);
    private static final Map<Signature, Kernel> ROUTES = new ConcurrentHashMap<>();
    private static volatile boolean simulateFault = Boolean.getBoolean("vqclip.simulateConvFault");

    private Convs() {
    }

    /**
     * @param x input (N, Cin, H, W)
     * @param weight (Cout, Cin, kH, kW)
     * @param bias (Cout) or null
     * @param stride the same stride along both axes
     * @param padding the same zero padding on all four sides
     * @return the output, owned by {@code x}'s manager, computed by the kernel routed for this shape
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        if (ROUTES.isEmpty() || kernelFor(signature(weight, stride, padding)) == Kernel.NATIVE) {
            return nativeConv2d(x, weight, bias, stride, padding);
        }
        return tapConv2d(x, weight, bias, stride, padding);
    }

    /** A 3×3 convolution with stride 1 and padding 1 (keeps the spatial size). */
    public static NDArray conv3x3(NDArray x, NDArray weight, NDArray bias) {
        return conv2d(x, weight, bias, 1, 1);
    }

    /** A 1×1 convolution (a per-position linear map of the channels). */
    public static NDArray conv1x1(NDArray x, NDArray weight, NDArray bias) {
        return conv2d(x, weight, bias, 1, 0);
    }

    /** @return the shape of a convolution with these weights (square kernels) */
    public static Signature signature(NDArray weight, int stride, int padding) {
        Shape w = weight.getShape();
        return new Signature((int) w.get(1), (int) w.get(0), (int) w.get(2), stride, padding);
    }

    /** @return the kernel that computes convolutions of this shape */
    public static Kernel kernelFor(Signature s) {
        return ROUTES.getOrDefault(s, Kernel.NATIVE);
    }

    /** Routes every convolution of this shape to {@code kernel} (for the whole process). */
    public static void route(Signature s, Kernel kernel) {
        if (kernel == Kernel.NATIVE) {
            ROUTES.remove(s);
        } else {
            ROUTES.put(s, kernel);
        }
    }

    /** @return the shapes routed away from the native kernel */
    public static Map<Signature, Kernel> routes() {
        return Map.copyOf(ROUTES);
    }

    /** Routes every shape back to the native kernel (tests). */
    public static void resetRoutes() {
        ROUTES.clear();
    }

    /**
     * Makes the native kernel behave like the faulty one found on an AMD EPYC (for tests and for measuring the
     * remedy on a machine whose kernels are right): for 3×3 convolutions to at most 8 channels on inputs of at least
     * 20×20 the forward pass stays exact but the input gradient comes out 11 times too large. Also set by
     * {@code -Dvqclip.simulateConvFault=true}.
     */
    public static void simulateFault(boolean on) {
        simulateFault = on;
    }

    /** @return whether {@link #simulateFault} is on */
    public static boolean faultSimulated() {
        return simulateFault;
    }

    /** PyTorch's convolution operator, whatever the route. */
    public static NDArray nativeConv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape s = stride == 1 ? ONE : new Shape(stride, stride);
        Shape p = padding == 0 ? ZERO : padding == 1 ? ONE : new Shape(padding, padding);
        NDArray y = Conv2d.conv2d(x, weight, bias, s, p, ONE, 1).singletonOrThrow();
        if (simulateFault && weight.getShape().get(0) <= 8 && weight.getShape().get(2) == 3
                && x.getShape().get(2) >= 20 && x.getShape().get(3) >= 20) {
            // y + (10y − stop(10y)): the same values (a − a is exactly 0), gradient 11 times dy
            try (NDArray tenfold = Tensors.mul(y, 10); NDArray held = tenfold.stopGradient();
                 NDArray zero = tenfold.sub(held)) {
                NDArray faulty = y.add(zero);
                y.close();
                return faulty;
            }
        }
        return y;
    }

    /**
     * The convolution as matrix products per kernel tap, without any convolution kernel. Differentiable like any
     * composition of DJL operations; works in any floating type (the self-check runs it in float64 as its reference).
     * Two equivalent forms, whichever moves less memory:
     * <ul>
     *   <li>fewer output than input channels (e.g. the decoder's {@code conv_out}, 128 → 3): one product of all taps'
     *   weights {@code (k²·Cout)×Cin} with the input seen as {@code Cin×HW} gives each tap's contribution at every
     *   position, {@code P}; the output sums the {@code k²} shifted windows of the padded {@code P}. The input is read
     *   once and its gradient is one product, {@code Wᵀ·∂P};</li>
     *   <li>otherwise: for each tap, the strided window of the padded input, multiplied by that tap's
     *   {@code Cout×Cin} weights, summed.</li>
     * </ul>
     *
     * @return the output (N, Cout, Ho, Wo), owned by {@code x}'s manager
     */
    public static NDArray tapConv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        int k = (int) ws.get(2);
        if (xs.dimension() != 4 || ws.dimension() != 4 || ws.get(1) != xs.get(1) || ws.get(3) != k) {
            throw new IllegalArgumentException("weights " + ws + " do not fit input " + xs);
        }
        long out = ws.get(0);
        long ho = (xs.get(2) + 2L * padding - k) / stride + 1;
        long wo = (xs.get(3) + 2L * padding - k) / stride + 1;
        NDArray y = out < xs.get(1) ? shiftedOutputs(x, weight, stride, padding, ho, wo)
                : shiftedInputs(x, weight, stride, padding, ho, wo);
        if (bias == null) {
            return y;
        }
        try (NDArray b = bias.reshape(1, out, 1, 1)) {
            NDArray withBias = y.add(b);
            y.close();
            return withBias;
        }
    }

    /** Σ over taps of the tap's window of pad(W_all · x). */
    private static NDArray shiftedOutputs(NDArray x, NDArray weight, int stride, int padding, long ho, long wo) {
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        long n = xs.get(0);
        long c = xs.get(1);
        long h = xs.get(2);
        long w = xs.get(3);
        long out = ws.get(0);
        int k = (int) ws.get(2);
        NDArray sum = null;
        NDArray first = null;
        try (NDArray perTap = weight.transpose(2, 3, 0, 1); NDArray wAll = perTap.reshape((long) k * k * out, c);
             NDArray cols = x.reshape(n, c, h * w); NDArray p = wAll.matMul(cols);
             NDArray p4 = p.reshape(n, (long) k * k * out, h, w);
             NDArray padded = padding == 0 ? null : p4.pad(new Shape(padding, padding, padding, padding), 0)) {
            NDArray src = padded == null ? p4 : padded;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    long tap = (long) i * k + j;
                    NDIndex window = new NDIndex(":, {}:{}, {}:{}:{}, {}:{}:{}", tap * out, (tap + 1) * out, i,
                            i + stride * (ho - 1) + 1, stride, j, j + stride * (wo - 1) + 1, stride);
                    NDArray term = src.get(window);
                    if (tap == 0) {
                        first = term;
                        continue;
                    }
                    if (sum == null) {
                        // a new array (not a view of P), so adding to it in place never writes into P
                        sum = first.add(term);
                        first.close();
                        first = null;
                    } else {
                        sum.addi(term);
                    }
                    term.close();
                }
            }
            if (sum == null) {
                // a 1×1 kernel: the one window, copied out of P
                sum = first.add(0);
            }
            NDArray y = sum;
            sum = null;
            return y;
        } finally {
            if (sum != null) {
                sum.close();
            }
            if (first != null) {
                first.close();
            }
        }
    }

    /** Σ over taps of W_tap · (the tap's strided window of the padded input). */
    private static NDArray shiftedInputs(NDArray x, NDArray weight, int stride, int padding, long ho, long wo) {
        Shape xs = x.getShape();
        long n = xs.get(0);
        long c = xs.get(1);
        long out = weight.getShape().get(0);
        int k = (int) weight.getShape().get(2);
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), 0);
        NDArray sum = null;
        try {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    NDIndex view = new NDIndex(":, :, {}:{}:{}, {}:{}:{}", i, i + stride * (ho - 1) + 1, stride,
                            j, j + stride * (wo - 1) + 1, stride);
                    try (NDArray tapIn = padded.get(view); NDArray cols = tapIn.reshape(n, c, ho * wo);
                         NDArray tapW = weight.get(new NDIndex(":, :, {}, {}", i, j))) {
                        NDArray term = tapW.matMul(cols);
                        if (sum == null) {
                            sum = term;
                        } else {
                            // in place on a product's output, which no backward pass reads
                            sum.addi(term);
                            term.close();
                        }
                    }
                }
            }
            NDArray y = sum.reshape(n, out, ho, wo);
            sum.close();
            sum = null;
            return y;
        } finally {
            if (sum != null) {
                sum.close();
            }
            if (padded != x) {
                padded.close();
            }
        }
    }
}
