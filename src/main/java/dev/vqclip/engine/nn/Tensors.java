package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

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
}
