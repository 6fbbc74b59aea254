package dev.vqclip.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;


/**
 * The C allocator under libtorch's CPU tensors (glibc's malloc on Linux): when the memory a step freed goes back to
 * the system, its statistics, and huge pages for big tensors.
 * <p>
 * Why: glibc serves big blocks with {@code mmap} and unmaps them on free, but after the first such block is freed it
 * raises its mmap threshold to that block's size (up to 32 MiB), so later tensors of a few MiB come from the arenas
 * (one per thread that allocates), and freed arena memory is mostly kept. A step allocates and frees the same big
 * activations again and again on several threads, so the resident size stays near the step's peak while the bytes in
 * use are flat (real-size models at 256×256: 0.95 GiB in use, 1.1–1.4 GiB more held free). Every page handed back
 * is faulted in again, zeroed, by the next step: trimming after every step ({@code malloc_trim(0)}) cost ×1.04 to
 * ×1.27 in step time depending on the machine (see {@code docs/performance.md}).
 * <p>
 * So, by default ({@link Mode#IDLE}), freed memory stays with the allocator while steps follow each other, and goes
 * back to the system once the engine has been idle for {@link #idleMillis()} (a run paused, finished or closed): a
 * daemon thread trims then, unless another step has started. A guard ({@link #overGuard}) trims at once when the
 * allocator holds clearly more free memory than the run's first steps left, so nothing can grow without bound.
 * Before a run starts, {@link #beforeRun} hands back what loading the models left behind (the Java heap that parsing
 * grew, and freed native memory).
 * <p>
 * {@code -Dvqclip.nativeHeap=step} trims after every step (the earlier behaviour), {@code keep} never trims (both for
 * comparisons). Everything here is a no-op where the C library is not glibc.
 */
public final class NativeHeap {
    /** When freed memory goes back to the system. */
    public enum Mode {
        /** After the engine has been idle for a moment, or when the free memory held passes the guard (default). */
        IDLE,
        /** After every CPU step. */
        STEP,
        /** Never (for comparisons). */
        KEEP
    }

    /** Steps after a trim over which {@link #overGuard} learns how much free memory a step leaves held. */
    static final int LEARN_STEPS = 3;
    /** The guard's fixed part. */
    static final long GUARD_SLACK = 256L << 20;
    /** libtorch's switch for transparent huge pages on its CPU allocations of 2 MiB and more (PyTorch 2.2+). */
    public static final String THP_SWITCH = "THP_MEM_ALLOC_ENABLE";
    private static final long JAVA_HEAP_SLACK = 256L << 20;
    private static final Mode MODE = parseMode(System.getProperty("vqclip.nativeHeap", "idle"));
    private static final long IDLE_MILLIS = Long.getLong("vqclip.nativeHeap.idleMillis", 1000);
    private static final AtomicInteger STEPS_RUNNING = new AtomicInteger();
    private static final AtomicLong LAST_STEP_END = new AtomicLong();
    private static final AtomicBoolean IDLE_PENDING = new AtomicBoolean();
    private static final AtomicInteger STEPS_SINCE_TRIM = new AtomicInteger();
    private static final AtomicLong HELD_LEVEL = new AtomicLong();
    private static final AtomicLong TRIMS = new AtomicLong();
    private static final AtomicLong LAST_COLLECTION = new AtomicLong();
    private static final ScheduledExecutorService IDLE_TRIMMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vqclip-heap-trim");
        t.setDaemon(true);
        return t;
    });

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

    /** @return the mode set by {@code -Dvqclip.nativeHeap} (idle, step or keep) */
    public static Mode mode() {
        return MODE;
    }

    /** @return how long the engine must be idle before {@link Mode#IDLE} hands memory back */
    public static long idleMillis() {
        return IDLE_MILLIS;
    }

    /** @return how many trims have run in this process (any mode, any reason) */
    public static long trims() {
        return TRIMS.get();
    }

    /** Called by the engine when an optimisation step begins (each call is followed by one {@link #afterStep}). */
    public static void beforeStep() {
        STEPS_RUNNING.incrementAndGet();
    }

    /**
     * Called by the engine when an optimisation step has ended, successfully or not. On the CPU it trims at once in
     * {@link Mode#STEP}, or in {@link Mode#IDLE} when the guard is passed, and otherwise leaves the idle trimmer to
     * hand the memory back if no step follows soon. A GPU step's big arrays live in the GPU's memory (PyTorch's
     * caching allocator keeps them for the next step); the C heap holds only small host-side objects, so nothing
     * is trimmed after a GPU step.
     *
     * @param device the device the step ran on
     * @return whether it trimmed now
     */
    public static boolean afterStep(ai.djl.Device device) {
        STEPS_RUNNING.getAndUpdate(n -> Math.max(0, n - 1));
        LAST_STEP_END.set(System.nanoTime());
        if (device.isGpu() || MODE == Mode.KEEP) {
            return false;
        }
        if (MODE == Mode.STEP || overGuard()) {
            return trim();
        }
        if (IDLE_PENDING.compareAndSet(false, true)) {
            IDLE_TRIMMER.schedule(NativeHeap::trimIfIdle, IDLE_MILLIS, TimeUnit.MILLISECONDS);
        }
        return false;
    }

    /** Trims when no step is running and none has ended for {@link #IDLE_MILLIS}; otherwise looks again later. */
    private static void trimIfIdle() {
        long idleNanos = System.nanoTime() - LAST_STEP_END.get();
        long wait = TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS) - idleNanos;
        boolean running = STEPS_RUNNING.get() > 0;
        if (!running && wait <= 0) {
            IDLE_PENDING.set(false);
            trim();
        } else {
            // a step is running: look again in a while; otherwise exactly when the idle time is up
            IDLE_TRIMMER.schedule(NativeHeap::trimIfIdle, running ? TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS) : wait,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** @return whether {@link #afterStep} trims after every step on {@code device} */
    public static boolean shouldTrimAfterStep(ai.djl.Device device) {
        return MODE == Mode.STEP && !device.isGpu();
    }

    /**
     * The guard against growth: the free memory the allocator holds after a step is learned over the first
     * {@link #LEARN_STEPS} steps after a trim (the step's own transient working set: 1.1 GiB at 256×256 with 8
     * cutouts, 3.0 GiB with 32); more than half as much again plus {@link #GUARD_SLACK} after that means freed memory
     * is piling up (or the run grew, e.g. more cutouts), and it is handed back at once.
     *
     * @return whether the free memory held now is over the guard
     */
    static boolean overGuard() {
        return stats().map(s -> overGuard(s.freeHeldBytes())).orElse(false);
    }

    /** @return whether {@code freeHeld} bytes held after a step pass the guard (learning over the first steps) */
    static boolean overGuard(long freeHeld) {
        if (STEPS_SINCE_TRIM.incrementAndGet() <= LEARN_STEPS) {
            HELD_LEVEL.accumulateAndGet(freeHeld, Math::max);
            return false;
        }
        long level = HELD_LEVEL.get();
        return freeHeld > level + level / 2 + GUARD_SLACK;
    }

    /** Starts learning the guard's level again (after a trim). */
    static void resetGuard() {
        STEPS_SINCE_TRIM.set(0);
        HELD_LEVEL.set(0);
    }

    /**
     * Before a run's first step: gives back what loading the models left behind. Parsing weights grows the Java heap
     * (0.4–0.7 GiB committed after loading real-size models, 0.01 GiB of it live afterwards); a collection lets the
     * collector shrink it, which lowered the peak resident size of a 256×256 step by about 0.25 GiB. Collects only
     * when the heap holds more than 256 MiB it does not use, at most once a minute; then trims the C heap.
     */
    public static void beforeRun() {
        long now = System.nanoTime();
        long last = LAST_COLLECTION.get();
        // at most one collection a minute (tests and the studio start many runs on the same models)
        if (Runtime.getRuntime().freeMemory() > JAVA_HEAP_SLACK
                && (last == 0 || now - last > TimeUnit.MINUTES.toNanos(1))
                && LAST_COLLECTION.compareAndSet(last, now)) {
            System.gc();
        }
        if (MODE != Mode.KEEP) {
            trim();
        }
    }

    /**
     * @return whether the kernel offers transparent huge pages on request (mode {@code madvise} or {@code always}),
     *     so that {@link #THP_SWITCH} can give libtorch's big CPU tensors 2 MiB pages: 512 times fewer page faults for
     *     the step's freshly mapped activations
     */
    public static boolean hugePagesAvailable() {
        return hugePagesAvailable(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
    }

    /** @return whether the kernel's setting (e.g. {@code always [madvise] never}) allows huge pages on request */
    static boolean hugePagesAvailable(Path setting) {
        try {
            String s = Files.readString(setting);
            return s.contains("[madvise]") || s.contains("[always]");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Mode parseMode(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "step" -> Mode.STEP;
            case "keep" -> Mode.KEEP;
            default -> Mode.IDLE;
        };
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
            if (c == null) {
                return false;
            }
            TRIMS.incrementAndGet();
            resetGuard();
            return c.malloc_trim(0) == 1;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }
}
