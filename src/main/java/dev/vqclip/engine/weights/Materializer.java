package dev.vqclip.engine.weights;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the bytes of described tensors, after checking that they fit in memory. */
final class Materializer {
    private Materializer() {
    }

    /**
     * @param refs named tensor descriptions, in file order
     * @param reader the open file
     * @param fileSize size of the file (bounds the total: shared storages may be read more than once)
     */
    static Map<String, RawTensor> read(Map<String, TensorRef> refs, StorageReader reader, long fileSize)
            throws IOException {
        long total = 0;
        for (TensorRef r : refs.values()) {
            total += r.numel() * r.dtype().size();
        }
        long budget = Math.max(4 * fileSize, 64L << 20);
        if (total > budget) {
            throw new BadFile("its tensors add up to " + total + " bytes, implausible for a file of " + fileSize
                    + " bytes");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (total > heap) {
            throw new BadFile("its tensors need " + (total >> 20) + " MiB but the JVM heap is " + (heap >> 20)
                    + " MiB; start Java with a larger -Xmx");
        }
        Map<String, RawTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            try {
                out.put(e.getKey(), e.getValue().read(reader));
            } catch (BadFile ex) {
                throw new BadFile("tensor '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        }
        return out;
    }
}
