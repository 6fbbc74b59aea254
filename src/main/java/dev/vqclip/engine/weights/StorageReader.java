package dev.vqclip.engine.weights;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads byte ranges of the storages of one open model file. */
interface StorageReader {
    /**
     * @param storage a root storage (never a view)
     * @param byteOffset offset into the storage, already validated to lie inside it
     * @param length bytes wanted, already validated to lie inside the storage
     * @return exactly {@code length} bytes, little-endian, position 0; throws {@link BadFile} when the file ends early
     */
    ByteBuffer read(StorageRef storage, long byteOffset, int length) throws IOException;
}
