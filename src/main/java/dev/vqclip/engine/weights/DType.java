package dev.vqclip.engine.weights;

/** Element types a model file may store. Sizes are in bytes. */
public enum DType {
    FLOAT64(8), FLOAT32(4), FLOAT16(2), BFLOAT16(2), INT64(8), INT32(4), INT16(2), INT8(1), UINT8(1), BOOL(1);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** @return bytes per element */
    public int size() {
        return size;
    }

    /** @return true for the floating point types */
    public boolean isFloating() {
        return this == FLOAT64 || this == FLOAT32 || this == FLOAT16 || this == BFLOAT16;
    }
}
