package dev.vqclip.engine.weights;

/**
 * One storage named by a persistent id in a torch pickle: its key (zip entry {@code data/<key>} or legacy storage
 * key), element type and element count as the pickle claims them. For a legacy storage view, {@code base} is the
 * storage viewed and {@code baseOffset} the element offset in it.
 */
record StorageRef(String key, DType dtype, long numel, StorageRef base, long baseOffset) {
    StorageRef {
        if (numel < 0) {
            throw new BadFile("storage '" + key + "' claims a negative element count " + numel);
        }
        try {
            Math.multiplyExact(numel, (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new BadFile("storage '" + key + "' claims " + numel + " elements, which overflows");
        }
    }

    /** @return the storage that holds the bytes (itself unless this is a legacy view) */
    StorageRef root() {
        return base == null ? this : base;
    }

    long byteSize() {
        return numel * dtype.size();
    }
}
