package dev.vqclip.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * A gradient-recording scope for one thread, so that two trainings can run side by side in one process.
 *
 * <p>DJL's PyTorch {@link GradientCollector} allows only one open collector per process (a static flag), although
 * PyTorch's grad mode is per thread. On PyTorch this scope turns grad mode on for the calling thread only and runs
 * the backward pass directly; on any other engine it falls back to the engine's collector (one at a time).
 * Like a collector, it must be closed on the thread that opened it.
 */
public final class ThreadAutograd implements AutoCloseable {
    private final GradientCollector fallback;
    private final boolean wasRecording;

    private ThreadAutograd(GradientCollector fallback, boolean wasRecording) {
        this.fallback = fallback;
        this.wasRecording = wasRecording;
    }

    /** @return a scope recording the calling thread's operations until {@link #close()} */
    public static ThreadAutograd open() {
        if (isPyTorch()) {
            boolean was = JniUtils.isGradMode();
            JniUtils.setGradMode(true);
            return new ThreadAutograd(null, was);
        }
        return new ThreadAutograd(Engine.getInstance().newGradientCollector(), false);
    }

    /**
     * Turns gradient recording off for the calling thread (PyTorch starts every new thread recording; DJL turns it
     * off only on the thread that loaded the engine). Call it first on a thread made for training.
     */
    public static void recordNothing() {
        if (isPyTorch()) {
            JniUtils.setGradMode(false);
        }
    }

    /** Back-propagates from a scalar {@code loss} into the gradients of the leaves that require one. */
    public void backward(NDArray loss) {
        if (fallback != null) {
            fallback.backward(loss);
            return;
        }
        if (!(loss instanceof PtNDArray pt)) {
            throw new IllegalArgumentException("not a PyTorch array: " + loss.getClass().getName());
        }
        NDArray ones = loss.onesLike();
        JniUtils.backward(pt, (PtNDArray) ones, false, false);
        ones.close();
    }

    @Override
    public void close() {
        if (fallback != null) {
            fallback.close();
        } else {
            JniUtils.setGradMode(wasRecording);
        }
    }

    private static boolean isPyTorch() {
        return "PyTorch".equals(Engine.getInstance().getEngineName());
    }
}
