package dev.vqclip.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Structure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C allocator under libtorch's CPU tensors (glibc's malloc on Linux), its statistics and one setting.
 * <p>
 * Why the setting: glibc serves big blocks with {@code mmap} and gives them back on free, but after the first such
 * block is freed it raises its mmap threshold to that block's size (up to 32 MiB on 64-bit), so from then on
 * tensors of a few MiB come from the arenas instead, and freed arena memory is mostly kept, not returned. An
 * optimisation step allocates and frees the same large activations over and over on several threads (one arena
 * each), so the process's resident memory kept growing while the bytes in use stayed flat (measured with
 * {@code bench step} on real-size models: 0.96 GiB in use but 1.4 GiB more held free after 10 steps). Fixing the
 * threshold ({@code mallopt(M_MMAP_THRESHOLD, …)}, which also turns the dynamic adjustment off) makes every block of
 * at least {@link #MMAP_THRESHOLD} bytes go back to the system when its tensor is closed.
 * <p>
 * Everything here is a no-op where the C library is not glibc. Set {@code -Dvqclip.nativeHeap=default} to keep the
 * allocator's defaults (for comparisons).
 */
public final class NativeHeap {
    /** Blocks of at least this many bytes are mapped and unmapped on their own. */
    public static final int MMAP_THRESHOLD = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(NativeHeap.class);
    private static final int M_MMAP_THRESHOLD = -3;
    private static volatile boolean configured;

    /**
     * Allocator figures.
     *
     * @param inUseBytes bytes handed out and not yet freed (arenas plus mapped blocks)
     * @param freeHeldBytes bytes free inside the arenas, kept by the allocator rather than returned
     */
    public record Stats(long inUseBytes, long freeHeldBytes) {
    }

    private NativeHeap() {
    }

    /**
     * Applies the setting described above, once per process, before tensors are made (later calls do nothing).
     *
     * @return whether the allocator took it
     */
    public static synchronized boolean configureForTensors() {
        if (configured) {
            return true;
        }
        configured = true;
        String setting = System.getProperty("vqclip.nativeHeap", "");
        if ("default".equals(setting) || C.LIBC == null) {
            return false;
        }
        // a number sets the threshold in MiB instead (for measurements)
        int threshold = setting.matches("[0-9]{1,2}") ? Integer.parseInt(setting) << 20 : MMAP_THRESHOLD;
        try {
            boolean ok = C.LIBC.mallopt(M_MMAP_THRESHOLD, threshold) == 1;
            LOG.debug("mallopt(M_MMAP_THRESHOLD, {}): {}", threshold, ok);
            return ok;
        } catch (Exception | LinkageError e) {
            LOG.debug("mallopt is not available", e);
            return false;
        }
    }

    /** @return the allocator's figures, or empty where the C library does not report them (glibc before 2.33) */
    public static java.util.Optional<Stats> stats() {
        if (C.LIBC != null) {
            try {
                MallInfo2 i = C.LIBC.mallinfo2();
                return java.util.Optional.of(new Stats(i.uordblks + i.hblkhd, i.fordblks));
            } catch (Exception | LinkageError e) {
                // no mallinfo2
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Returns free arena memory to the system ({@code malloc_trim(0)}).
     *
     * @return whether any was released
     */
    public static boolean trim() {
        try {
            return C.LIBC != null && C.LIBC.malloc_trim(0) == 1;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /** Loaded on first use; null where the C library is not glibc-like. */
    private static final class C {
        static final LibC LIBC = load();

        private static LibC load() {
            if (!Platform.isLinux()) {
                return null;
            }
            try {
                return Native.load("c", LibC.class);
            } catch (Exception | LinkageError e) {
                return null;
            }
        }
    }

    /** The part of glibc used here. */
    public interface LibC extends Library {
        /** @return 1 on success */
        int mallopt(int param, int value);

        /** @return the statistics summed over all arenas (glibc 2.33+) */
        MallInfo2.ByValue mallinfo2();

        /** @return 1 when memory was released */
        int malloc_trim(long pad);
    }

    /** glibc's {@code struct mallinfo2}: ten {@code size_t} fields. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost"})
    public static class MallInfo2 extends Structure {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;

        /** Returned by value. */
        public static final class ByValue extends MallInfo2 implements Structure.ByValue {
        }
    }
}
