package dev.vqclip.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes use-after-free of native memory visible: collects garbage, so direct buffers whose Java wrappers are gone are
 * freed, then reallocates freed memory of many sizes filled with 0xFF bytes (NaN as floats, −1 as integers). Keep the
 * instance until the code under test has read what it reads; {@link #release()} lets the filler go.
 */
public final class FreedMemory {
    private final List<ByteBuffer> filler = new ArrayList<>();

    /** Collects and overwrites; may be called again (the previous filler is released first). */
    public void collectAndOverwrite() {
        filler.clear();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(30); // the reference handler frees released direct buffers after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // malloc hands freed chunks of the same size class back first: several of each small size, then a
        // geometric ladder of larger ones
        for (int size = 16; size <= 1040; size += 16) {
            for (int k = 0; k < 8; k++) {
                filler.add(filled(size));
            }
        }
        for (double size = 1040; size < 4 << 20; size *= 1.1) {
            filler.add(filled((int) size));
            filler.add(filled((int) size));
        }
    }

    /** Drops the filler. */
    public void release() {
        filler.clear();
    }

    private static ByteBuffer filled(int size) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        while (b.remaining() >= 8) {
            b.putLong(-1L);
        }
        while (b.hasRemaining()) {
            b.put((byte) 0xFF);
        }
        return b;
    }
}
