package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A gradient-recording scope for one thread, so that two trainings can run side by side in one process.
 *
 * <p>DJL's PyTorch {@link ai.djl.training.GradientCollector} allows only one open collector per process (a static
 * flag), although PyTorch's grad mode is per thread. This scope turns grad mode on for the calling thread only and
 * runs the backward pass through DJL's JNI. Like a collector, it must be closed on the thread that opened it.
 */
public final class ThreadAutograd implements AutoCloseable {
    private final boolean wasRecording;

    private ThreadAutograd(boolean wasRecording) {
        this.wasRecording = wasRecording;
    }

    /** @return a scope recording the calling thread's operations until {@link #close()} */
    public static ThreadAutograd open() {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        return new ThreadAutograd(was);
    }

    /**
     * Turns gradient recording off for the calling thread (PyTorch starts every new thread recording; DJL turns it
     * off only on the thread that loaded the engine). Call it first on a thread made for training.
     */
    public static void recordNothing() {
        JniUtils.setGradMode(false);
    }

    /** Back-propagates from a scalar {@code loss} into the gradients of the leaves that require one. */
    public void backward(NDArray loss) {
        if (!(loss instanceof PtNDArray pt)) {
            throw new IllegalArgumentException("not a PyTorch array: " + loss.getClass().getName());
        }
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward(pt, (PtNDArray) ones, false, false);
        }
    }

    @Override
    public void close() {
        JniUtils.setGradMode(wasRecording);
    }
}
