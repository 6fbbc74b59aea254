package dev.vqclip.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as a model file stores it: element type, shape and little-endian bytes in C order. Nothing here touches
 * the engine until {@link #toNDArray} is called; conversion to float32 happens in Java so that types DJL cannot
 * take (bfloat16) never reach it.
 */
public final class RawTensor {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    /**
     * @param dtype element type
     * @param shape dimensions (empty for a scalar)
     * @param data exactly {@code numel * dtype.size()} bytes, little-endian, C order; position 0
     */
    public RawTensor(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = numel(shape);
        if (data.remaining() != n * dtype.size()) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and type " + dtype
                    + " needs " + n * dtype.size() + " bytes, got " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Wraps float values as a FLOAT32 tensor. */
    public static RawTensor ofFloats(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new RawTensor(DType.FLOAT32, shape, b);
    }

    /** @return the product of the dimensions; throws on negative or overflowing shapes */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return numel(shape);
    }

    /** @return a read-only little-endian view of the bytes */
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return the values converted to float32 (fp16 and bf16 are widened exactly) */
    public float[] toFloatArray() {
        ByteBuffer b = bytes();
        float[] out = new float[Math.toIntExact(numel())];
        if (dtype == DType.FLOAT32) {
            b.asFloatBuffer().get(out);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = floatAt(b, i);
        }
        return out;
    }

    /** @return the values as longs (integer types; floats are truncated, as float32) */
    public long[] toLongArray() {
        ByteBuffer b = bytes();
        long[] out = new long[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.isFloating() ? (long) floatAt(b, i) : integerAt(b, i);
        }
        return out;
    }

    /** @return element {@code i} of {@code b} read as this tensor's type and converted to float32 */
    private float floatAt(ByteBuffer b, int i) {
        return switch (dtype) {
            case FLOAT32 -> b.getFloat(i * 4);
            case FLOAT64 -> (float) b.getDouble(i * 8);
            case FLOAT16 -> halfToFloat(b.getShort(i * 2));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            case INT64, INT32, INT16, INT8, UINT8, BOOL -> integerAt(b, i);
        };
    }

    /** @return element {@code i} of {@code b} read as this tensor's integer (or bool) type */
    private long integerAt(ByteBuffer b, int i) {
        return switch (dtype) {
            case INT64 -> b.getLong(i * 8);
            case INT32 -> b.getInt(i * 4);
            case INT16 -> b.getShort(i * 2);
            case INT8 -> b.get(i);
            case UINT8, BOOL -> b.get(i) & 0xff;
            default -> throw new IllegalStateException("not an integer type: " + dtype);
        };
    }

    /**
     * Creates a float32 NDArray owned by {@code manager} (the caller closes the manager).
     */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(toFloatArray(), new Shape(shape));
    }

    /** IEEE 754 binary16 to binary32, exact (including subnormals, infinities and NaN). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
