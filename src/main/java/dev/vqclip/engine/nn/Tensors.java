package dev.vqclip.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
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
        return scalar(like.getManager(), like.getDataType(), value);
    }

    private static NDArray scalar(NDManager m, DataType type, double value) {
        synchronized (CONSTANTS) {
            scalarsMade++;
        }
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

    /** @return {@code x + s}, with the constant from {@link #constant} */
    public static NDArray add(NDArray x, double s) {
        return withScalar(x, s, NDArray::add);
    }

    /** @return {@code x − s}, with the constant from {@link #constant} */
    public static NDArray sub(NDArray x, double s) {
        return withScalar(x, s, NDArray::sub);
    }

    /** @return {@code x ≥ s} (boolean), with the constant from {@link #constant} */
    public static NDArray gte(NDArray x, double s) {
        return withScalar(x, s, NDArray::gte);
    }

    /** @return {@code x}, multiplied by {@code s} in place */
    public static NDArray muli(NDArray x, double s) {
        return withScalar(x, s, NDArray::muli);
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

    /** Applies {@code op(x, constant)}. */
    private static NDArray withScalar(NDArray x, double s, BinaryOperator<NDArray> op) {
        return op.apply(x, constant(x.getDevice(), x.getDataType(), s));
    }

    /**
     * The 0-dimensional constant {@code value} of {@code type} on {@code device}, made once and shared: every step
     * multiplies by 2, adds 1, compares with 0, and building each of those afresh costs two native allocations and,
     * on a GPU, a copy from the host per operation. The constants live in one manager per device for the whole
     * process, owned by the engine (see {@link #scalar} for why that matters to the backward pass). Values that
     * change every step (Adam's bias corrections, a decaying weight) are made once per step; the least recently used
     * are dropped beyond {@value #CONSTANTS_KEPT} (closing the wrapper is safe: PyTorch counts the references the
     * autograd graph holds).
     *
     * @return the shared constant; never close it
     */
    public static NDArray constant(Device device, DataType type, double value) {
        synchronized (CONSTANTS) {
            Key key = new Key(device, type, Double.doubleToLongBits(value));
            NDArray c = CONSTANTS.get(key);
            if (c == null) {
                NDManager owner = CONSTANT_MANAGERS.computeIfAbsent(device, NDManager::newBaseManager);
                c = scalar(owner, type, value);
                CONSTANTS.put(key, c);
            }
            return c;
        }
    }

    /**
     * @return how many 0-dimensional arrays this class has made so far, shared constants and {@link #scalar}'s
     *     together (for tests: steady steps make few)
     */
    public static long scalarsMade() {
        synchronized (CONSTANTS) {
            return scalarsMade;
        }
    }

    private record Key(Device device, DataType type, long bits) {
    }

    private static final int CONSTANTS_KEPT = 512;
    private static final Map<Device, NDManager> CONSTANT_MANAGERS = new HashMap<>();
    private static long scalarsMade;
    private static final Map<Key, NDArray> CONSTANTS = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, NDArray> eldest) {
            if (size() > CONSTANTS_KEPT) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
}
