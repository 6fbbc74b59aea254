package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.DeviceMemory;
import dev.vqclip.engine.EngineThreads;
import dev.vqclip.engine.nn.Convs;


/**
 * Child-process main for {@link MemoryEstimateBenchmark}: the resident memory of the runtime alone (JVM and libtorch,
 * threads configured as the command line does), after one small convolution forward and backward pass so that
 * libtorch's kernels and thread pool are loaded. Prints {@code overhead-bytes N}.
 */
public final class RuntimeOverheadProbe {
    private RuntimeOverheadProbe() {
    }

    public static void main(String[] args) throws Exception {
        EngineThreads.configure(null, false);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(1, 8, 64, 64));
            x.setRequiresGradient(true);
            NDArray w = m.randomNormal(new Shape(8, 8, 3, 3));
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                gc.backward(Convs.nativeConv2d(x, w, null, 1, 1).sum());
            }
            x.getGradient().toFloatArray();
        }
        System.gc();
        long rss = DeviceMemory.processResident().orElse(-1);
        System.out.println("overhead-bytes " + rss);
    }
}
