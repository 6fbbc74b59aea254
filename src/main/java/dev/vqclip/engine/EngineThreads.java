package dev.vqclip.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * How PyTorch's CPU threads share the machine, set before libtorch loads.
 * <ul>
 *   <li><b>Waiting</b>: libgomp (the OpenMP runtime libtorch's CPU build uses) spins a waiting worker for a while
 *   before it sleeps. Beside one other busy process a 30-step demo run took 148–173 s that way, 39 s with
 *   {@code OMP_WAIT_POLICY=PASSIVE}: a spinning worker holds a core its descheduled sibling needs. libgomp reads the
 *   variable once, when it loads, so {@link #configure} puts it into the process environment through the C library
 *   first (a value the user set is kept).</li>
 *   <li><b>Intra-op threads</b>: one per core for commands; in the studio one core is left to the user interface
 *   where there are four or more (with two or three the interface, which never waits on the engine, shares
 *   the cores). {@code --threads N},
 *   {@code -Dvqclip.threads=N}, {@code VQCLIP_THREADS} or the setting saved from the studio's
 *   diagnostics dialog ({@link #saveSetting}) override it, in that order.</li>
 *   <li><b>Huge pages</b> for libtorch's big CPU tensors ({@link #hugePages}).</li>
 * </ul>
 */
public final class EngineThreads {
    /** The OpenMP variable that makes waiting workers sleep instead of spin. */
    public static final String WAIT_POLICY = "OMP_WAIT_POLICY";
    private static final Logger LOG = LoggerFactory.getLogger(EngineThreads.class);
    private static volatile String waitPolicySource = "not set";
    private static volatile int threads;

    private EngineThreads() {
    }

    /**
     * Sets the wait policy and the thread count. Call before anything loads the engine; called again later it changes
     * only the thread count.
     *
     * @param requested a thread count the user asked for, or null for the default
     * @param interactive whether a user interface shares the machine (the studio)
     * @return the thread count chosen
     * @throws IllegalArgumentException for a count below 1
     */
    public static synchronized int configure(Integer requested, boolean interactive) {
        Integer n = requested != null ? requested : fromSettings();
        if (n != null && n < 1) {
            throw new IllegalArgumentException("--threads " + n + ": must be at least 1");
        }
        setWaitPolicy();
        int chosen = n != null ? n : defaultThreads(Runtime.getRuntime().availableProcessors(), interactive);
        threads = chosen;
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(chosen));
        if (engineLoaded()) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(chosen);
        }
        return chosen;
    }

    /**
     * @param cores the machine's cores
     * @param interactive whether a user interface shares them
     * @return the default intra-op thread count
     */
    public static int defaultThreads(int cores, boolean interactive) {
        return interactive && cores >= 4 ? cores - 1 : Math.max(1, cores);
    }

    /** @return the thread count {@link #configure} chose, or 0 before it ran */
    public static int configured() {
        return threads;
    }

    /** @return e.g. {@code PASSIVE (set by vqclip)}, {@code ACTIVE (from the environment)} */
    public static String waitPolicy() {
        String v = processEnv(WAIT_POLICY);
        return (v == null ? "unset (libgomp spins, then sleeps)" : v) + " (" + waitPolicySource + ")";
    }

    /**
     * NVIDIA's switch that keeps cuBLAS and cuDNN from using TF32 tensor cores for float32 work, whatever the
     * framework asked for. PyTorch leaves TF32 off for matrix products but on for cuDNN convolutions, and DJL 0.36
     * exposes neither of PyTorch's two flags (its only cuDNN setting is {@code ai.djl.pytorch.cudnn_benchmark}), so
     * without this the VQGAN's convolutions on an Ampere or newer GPU round their inputs to 10 mantissa bits and a GPU
     * step no longer matches the CPU's. Set to {@code 0} before the engine loads unless the user set it.
     */
    public static final String TF32_OVERRIDE = "NVIDIA_TF32_OVERRIDE";
    private static volatile String tf32Source = "not set";

    /** @return e.g. {@code 0 (set by vqclip: TF32 off)} */
    public static String tf32() {
        String v = processEnv(TF32_OVERRIDE);
        return (v == null ? "unset (cuDNN may use TF32)" : v) + " (" + tf32Source + ")";
    }

    /** Turns TF32 off for the GPU libraries (see {@link #TF32_OVERRIDE}); before the engine loads. */
    public static synchronized void setTf32Off() {
        tf32Source = setDefault(TF32_OVERRIDE, "0");
    }

    /**
     * Puts {@code name=value} into the process environment unless it is there already.
     *
     * @return where the value came from, for {@link #waitPolicy} and {@link #tf32}
     */
    private static String setDefault(String name, String value) {
        if (processEnv(name) != null) {
            return "from the environment";
        }
        LibC c = LibC.get();
        if (c == null) {
            return "could not be set on this system";
        }
        try {
            if (c.setenv(name, value, 0) == 0) {
                return engineLoaded() ? "set by vqclip after the engine loaded: takes effect next start"
                        : "set by vqclip";
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("could not set {}", name, e);
        }
        return "could not be set on this system";
    }

    /**
     * Sets only the environment the engine reads when it loads (the wait policy and {@link #setTf32Off}), for
     * commands that set their own thread counts; before the engine loads.
     */
    public static synchronized void setWaitPolicy() {
        setTf32Off();
        waitPolicySource = setDefault(WAIT_POLICY, "PASSIVE");
        hugePagesSource = NativeHeap.hugePagesAvailable() ? setDefault(NativeHeap.THP_SWITCH, "1")
                : "not offered by this system";
    }

    private static volatile String hugePagesSource = "not set";

    /**
     * libtorch's huge pages for big CPU tensors ({@code THP_MEM_ALLOC_ENABLE=1}): the step's activations of several
     * MiB are mapped afresh for every step, and with 4 KiB pages the page faults took about half of a real-size step
     * on a 2-core AMD EPYC (12.9 s against 6.0 s per step, {@code docs/performance.md}).
     *
     * @return e.g. {@code 1 (set by vqclip)}
     */
    public static String hugePages() {
        String v = processEnv(NativeHeap.THP_SWITCH);
        return (v == null ? "off" : v) + " (" + hugePagesSource + ")";
    }

    /** @return the process environment's value (what native libraries see), falling back to Java's copy */
    public static String processEnv(String name) {
        LibC c = LibC.get();
        if (c != null) {
            try {
                return c.getenv(name);
            } catch (Exception | LinkageError e) {
                // fall through
            }
        }
        return System.getenv(name);
    }

    /** The user preference (the studio's diagnostics dialog) that holds a chosen thread count. */
    static final String PREFERENCE = "engineThreads";

    /** @return the thread count saved as the user's setting, or 0 for the default */
    public static int savedSetting() {
        try {
            return Math.max(0, preferences().getInt(PREFERENCE, 0));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /**
     * Saves the user's thread count for the next start (0: the default).
     *
     * @throws IllegalArgumentException for a negative count
     */
    public static void saveSetting(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("a thread count cannot be negative: " + n);
        }
        java.util.prefs.Preferences p = preferences();
        if (n == 0) {
            p.remove(PREFERENCE);
        } else {
            p.putInt(PREFERENCE, n);
        }
        try {
            p.flush();
        } catch (java.util.prefs.BackingStoreException e) {
            LOG.warn("could not save the thread setting: {}", e.getMessage());
        }
    }

    private static java.util.prefs.Preferences preferences() {
        return java.util.prefs.Preferences.userRoot().node(System.getProperty("vqclip.preferences", "dev/vqclip"));
    }

    private static Integer fromSettings() {
        String v = System.getProperty("vqclip.threads");
        String from = "-Dvqclip.threads";
        if (v == null) {
            v = System.getenv("VQCLIP_THREADS");
            from = "VQCLIP_THREADS";
        }
        if (v == null || v.isBlank()) {
            int saved = savedSetting();
            return saved > 0 ? saved : null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(from + "=" + v + ": not a whole number of threads");
        }
    }

    /** @return whether libtorch is already in this process (read from /proc/self/maps; false elsewhere) */
    static boolean engineLoaded() {
        java.nio.file.Path maps = java.nio.file.Path.of("/proc/self/maps");
        if (!java.nio.file.Files.isReadable(maps)) {
            return false;
        }
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(maps)) {
            return lines.anyMatch(l -> l.contains("libtorch_cpu"));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** @return e.g. {@code 2 intra-op threads (2 cores), OMP_WAIT_POLICY PASSIVE (set by vqclip)} */
    public static String describe() {
        return String.format(Locale.ROOT, "%d intra-op threads (%d cores), %s %s", threads,
                Runtime.getRuntime().availableProcessors(), WAIT_POLICY, waitPolicy());
    }
}
