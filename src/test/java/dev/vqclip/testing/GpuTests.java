package dev.vqclip.testing;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a GPU test calls first. Without a CUDA GPU the test is skipped, unless {@code -Dvqclip.requireGpu=true} (what
 * {@code packaging/gpu-check.sh} passes): then it FAILS and says what DJL loaded, so a GPU check can never pass by
 * skipping. A skip happens on every machine without a GPU and on a GPU machine where only the CPU libtorch is found;
 * the CPU native jar on the test class path is no obstacle once {@code PYTORCH_LIBRARY_PATH} names a CUDA libtorch
 * (DJL looks there before the class path).
 */
public final class GpuTests {
    /** The property that turns "no GPU" from a skip into a failure. */
    public static final String REQUIRE = "vqclip.requireGpu";
    /** A CUDA libtorch folder to use (or the environment's {@code VQCLIP_CUDA_RUNTIME}). */
    public static final String RUNTIME = "vqclip.cudaRuntime";

    private GpuTests() {
    }

    /** Skips (or, with {@link #REQUIRE}, fails) the calling test unless DJL sees a CUDA GPU. */
    public static void assumeGpu() {
        useInstalledCudaRuntime();
        // cuBLAS and cuDNN read it when they first start, which is after this in a test JVM
        dev.vqclip.engine.EngineThreads.setTf32Off();
        int gpus;
        String why;
        try {
            gpus = Engine.getInstance().getGpuCount();
            why = "DJL's libtorch: " + ai.djl.pytorch.jni.LibUtils.getLibtorchPath() + " (PYTORCH_LIBRARY_PATH "
                    + ai.djl.util.Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") + ", PYTORCH_FLAVOR "
                    + ai.djl.util.Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR") + ")";
        } catch (RuntimeException | LinkageError e) {
            gpus = 0;
            why = "the engine did not load: " + e;
        }
        if (gpus > 0) {
            return;
        }
        if (Boolean.getBoolean(REQUIRE)) {
            fail("no CUDA GPU, and -D" + REQUIRE + "=true says there must be one; " + why);
        }
        Assumptions.assumeTrue(false, "no CUDA GPU (" + why + ")");
    }

    /**
     * Points DJL at a CUDA libtorch before the engine loads: a folder named by {@value #RUNTIME} or
     * {@code VQCLIP_CUDA_RUNTIME} (when PYTORCH_LIBRARY_PATH is not set already), else what
     * {@code vqclip runtime install cuda} installed ({@link dev.vqclip.runtime.NativeRuntime#select()}, as the app
     * does at start-up). Without either, a test JVM loads what the class path holds (the CPU build).
     */
    public static void useInstalledCudaRuntime() {
        String dir = System.getProperty(RUNTIME, System.getenv("VQCLIP_CUDA_RUNTIME"));
        if (dir != null && !dir.isBlank()
                && ai.djl.util.Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") == null) {
            System.setProperty("PYTORCH_LIBRARY_PATH", dir);
        }
        dev.vqclip.runtime.NativeRuntime.select();
    }
}
