package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.function.BinaryOperator;

/** Small tensor utilities that work around DJL pitfalls. */
public final class Tensors {
    private Tensors() {
    }

    /**
     * A copy of {@code x} as {@code type} whose memory belongs to the engine.
     *
     * <p>Why not {@code x.toType(type, true)}: when the type is unchanged, DJL's PyTorch engine returns a tensor that
     * aliases {@code x}'s memory, and for an array made with {@code manager.create(float[])} that memory is a Java
     * direct buffer kept alive only by {@code x}'s wrapper; once {@code x} is closed and collected, the alias reads
     * freed memory (seen here: a CLIP mask turned to garbage after a GC).
     */
    public static NDArray copy(NDArray x, DataType type) {
        return x.getDataType() == type ? x.duplicate() : x.toType(type, false);
    }

    /**
     * Host values as a tensor whose memory belongs to the engine, on {@code manager}'s device.
     *
     * <p>Why not {@code manager.create(values, shape)} alone: DJL's PyTorch engine wraps the Java direct buffer it
     * fills without copying, and that buffer is freed when the array's Java wrapper is collected. If the array is
     * closed while the autograd graph (or a view) still holds the tensor, e.g. a colour matrix multiplied into the
     * image, the backward pass reads freed memory once the garbage collector has run: results then depend on GC
     * timing. The copy made here is owned by PyTorch and reference-counted like any other result.
     */
    public static NDArray fromHost(NDManager manager, float[] values, Shape shape) {
        return engineCopy(manager.create(values, shape));
    }

    /** @return an engine-owned copy of {@code wrapped}, which is closed */
    private static NDArray engineCopy(NDArray wrapped) {
        try (wrapped) {
            return wrapped.duplicate();
        }
    }

    /** As {@link #fromHost(NDManager, float[], Shape)}, for doubles. */
    public static NDArray fromHost(NDManager manager, double[] values, Shape shape) {
        return engineCopy(manager.create(values, shape));
    }

    /** As {@link #fromHost(NDManager, float[], Shape)}, for longs (indices). */
    public static NDArray fromHost(NDManager manager, long[] values, Shape shape) {
        return engineCopy(manager.create(values, shape));
    }

    /** As {@link #fromHost(NDManager, float[], Shape)}, for ints. */
    public static NDArray fromHost(NDManager manager, int[] values, Shape shape) {
        return engineCopy(manager.create(values, shape));
    }

    /**
     * {@code value} as a 0-dimensional tensor of {@code like}'s type, on its manager and device, owned by the engine.
     *
     * <p>DJL's {@code x.mul(Number)}, {@code div(Number)}, {@code pow(Number)}, {@code maximum(Number)} and
     * {@code minimum(Number)} wrap the number with {@code manager.create(Number)} (a Java direct buffer, see
     * {@link #fromHost(NDManager, float[], Shape)}) and close the wrapper at once, yet PyTorch's backward of those
     * operations reads the number again: after a garbage collection it reads freed memory. Use {@link #mul},
     * {@link #div}, {@link #pow}, {@link #maximum} and {@link #minimum} instead; a test checks the bytecode for the
     * others.
     */
    public static NDArray scalar(NDArray like, double value) {
        NDManager m = like.getManager();
        DataType type = like.getDataType();
        Shape scalar = new Shape();
        switch (type) {
            case FLOAT64:
                return fromHost(m, new double[] {value}, scalar);
            case FLOAT32:
                return fromHost(m, new float[] {(float) value}, scalar);
            case INT64:
                return fromHost(m, new long[] {integral(value, type)}, scalar);
            case INT32:
                return fromHost(m, new int[] {Math.toIntExact(integral(value, type))}, scalar);
            default:
                try (NDArray f = fromHost(m, new float[] {(float) value}, scalar)) {
                    return f.toType(type, false);
                }
        }
    }

    private static long integral(double value, DataType type) {
        if (value != Math.rint(value)) {
            throw new IllegalArgumentException(value + " is not a whole number, for a " + type + " array");
        }
        return (long) value;
    }

    /** @return {@code x · s}, safe to differentiate (see {@link #scalar}) */
    public static NDArray mul(NDArray x, double s) {
        return withScalar(x, s, NDArray::mul);
    }

    /** @return {@code x / s}, safe to differentiate (see {@link #scalar}) */
    public static NDArray div(NDArray x, double s) {
        return withScalar(x, s, NDArray::div);
    }

    /** @return {@code x ^ s}, safe to differentiate (see {@link #scalar}) */
    public static NDArray pow(NDArray x, double s) {
        return withScalar(x, s, NDArray::pow);
    }

    /** @return the elementwise maximum of {@code x} and {@code s}, safe to differentiate (see {@link #scalar}) */
    public static NDArray maximum(NDArray x, double s) {
        return withScalar(x, s, NDArray::maximum);
    }

    /** @return the elementwise minimum of {@code x} and {@code s}, safe to differentiate (see {@link #scalar}) */
    public static NDArray minimum(NDArray x, double s) {
        return withScalar(x, s, NDArray::minimum);
    }

    /** Applies {@code op(x, scalar)}; closing the scalar's wrapper is safe, PyTorch owns its memory. */
    private static NDArray withScalar(NDArray x, double s, BinaryOperator<NDArray> op) {
        try (NDArray k = scalar(x, s)) {
            return op.apply(x, k);
        }
    }
}
