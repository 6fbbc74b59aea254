package dev.vqclip.engine;


/**
 * The C allocator under libtorch's CPU tensors (glibc's malloc on Linux): its statistics, and giving back what it
 * keeps.
 * <p>
 * Why: glibc serves big blocks with {@code mmap} and unmaps them on free, but after the first such block is freed it
 * raises its mmap threshold to that block's size (up to 32 MiB), so later tensors of a few MiB come from the arenas
 * (one per thread that allocates), and freed arena memory is mostly kept. A step allocates and frees the same big
 * activations again and again on several threads, so the resident size stayed near the step's peak while the bytes in
 * use were flat (real-size models at 256×256: 0.97 GiB in use, 1.1 GiB more held free, RSS 2.4 GiB between steps).
 * {@link #afterStep} gives the free pages back ({@code malloc_trim(0)} releases free pages inside every arena):
 * RSS between steps 1.35 GiB, step time ×1.04 at 8 cutouts but about ×1.2 at 32 (3.4 GiB handed back each step
 * is faulted in again by the next). Fixing the mmap
 * threshold at 1 MiB instead ({@code mallopt}) also kept RSS at 1.45 GiB but made steps 1.23× slower (every big tensor
 * mapped and faulted in afresh).
 * <p>
 * Everything here is a no-op where the C library is not glibc. {@code -Dvqclip.nativeHeap=keep} leaves the memory
 * with the allocator (for comparisons).
 */
public final class NativeHeap {
    private static final boolean KEEP = "keep".equals(System.getProperty("vqclip.nativeHeap"));

    /**
     * Allocator figures.
     *
     * @param inUseBytes bytes handed out and not yet freed (arenas plus mapped blocks)
     * @param freeHeldBytes bytes free inside the arenas (their pages may or may not have been given back)
     */
    public record Stats(long inUseBytes, long freeHeldBytes) {
    }

    private NativeHeap() {
    }

    /**
     * Called by the engine after each optimisation step: gives the step's freed memory back to the system, when the
     * step ran on the CPU. A GPU step's big arrays live in the GPU's memory (PyTorch's caching allocator keeps them
     * for the next step); the C heap holds only small host-side objects, so trimming would cost a pass over every
     * arena for nothing.
     *
     * @param device the device the step ran on
     * @return whether it trimmed
     */
    public static boolean afterStep(ai.djl.Device device) {
        if (!shouldTrimAfterStep(device)) {
            return false;
        }
        trim();
        return true;
    }

    /** @return whether {@link #afterStep} trims after a step on {@code device} */
    public static boolean shouldTrimAfterStep(ai.djl.Device device) {
        return !KEEP && !device.isGpu();
    }

    /** @return the allocator's figures, or empty where the C library does not report them (glibc before 2.33) */
    public static java.util.Optional<Stats> stats() {
        LibC c = LibC.get();
        if (c != null) {
            try {
                LibC.MallInfo2 i = c.mallinfo2();
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
            LibC c = LibC.get();
            return c != null && c.malloc_trim(0) == 1;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }
}
