package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/** 2-D convolution helpers over DJL's {@link Conv2d#conv2d} function (NCHW input, OIHW weights). */
public final class Convs {
    private static final Shape ONE = new Shape(1, 1);
    private static final Shape ZERO = new Shape(0, 0);

    private Convs() {
    }

    /**
     * @param x input (N, Cin, H, W)
     * @param weight (Cout, Cin, kH, kW)
     * @param bias (Cout) or null
     * @param stride the same stride along both axes
     * @param padding the same zero padding on all four sides
     * @return the output, owned by {@code x}'s manager
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape s = stride == 1 ? ONE : new Shape(stride, stride);
        Shape p = padding == 0 ? ZERO : padding == 1 ? ONE : new Shape(padding, padding);
        return Conv2d.conv2d(x, weight, bias, s, p, ONE, 1).singletonOrThrow();
    }

    /** A 3×3 convolution with stride 1 and padding 1 (keeps the spatial size). */
    public static NDArray conv3x3(NDArray x, NDArray weight, NDArray bias) {
        return conv2d(x, weight, bias, 1, 1);
    }

    /** A 1×1 convolution (a per-position linear map of the channels). */
    public static NDArray conv1x1(NDArray x, NDArray weight, NDArray bias) {
        return conv2d(x, weight, bias, 1, 0);
    }
}
