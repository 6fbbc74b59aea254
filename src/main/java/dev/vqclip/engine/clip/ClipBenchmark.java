package dev.vqclip.engine.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * Times the hot path of VQGAN-CLIP: the image encoder on a batch of cutouts, forward only and forward + backward
 * with respect to the pixels (through {@link Clip#normalize}, to a spherical-distance loss as the optimisation uses).
 */
public final class ClipBenchmark {
    private ClipBenchmark() {
    }

    /**
     * @param msForward mean milliseconds of one forward pass over the batch
     * @param msForwardBackward mean milliseconds of forward + backward over the batch
     * @param cutouts batch size
     * @param iterations timed iterations of each kind
     */
    public record Result(double msForward, double msForwardBackward, int cutouts, int iterations) {
    }

    /**
     * Runs {@code warmup} untimed iterations of each kind, then {@code iterations} timed ones. Every iteration uses
     * its own sub-manager, so memory stays flat. Must not be called while another GradientCollector is open.
     *
     * @param clip the model (weights on its device)
     * @param cutouts images per batch
     */
    public static Result run(Clip clip, int cutouts, int warmup, int iterations) {
        if (cutouts < 1 || iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("cutouts and iterations must be ≥ 1, warm-up ≥ 0");
        }
        int r = clip.imageResolution();
        try (NDManager m = NDManager.newBaseManager(clip.device())) {
            NDArray pixels = m.randomUniform(0, 1, new Shape(cutouts, 3, r, r));
            NDArray target = m.randomNormal(new Shape(1, clip.embedDim())).normalize(2, -1, 1e-12);
            for (int i = 0; i < warmup; i++) {
                forward(clip, pixels);
                forwardBackward(clip, pixels, target);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                forward(clip, pixels);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                forwardBackward(clip, pixels, target);
            }
            long t2 = System.nanoTime();
            return new Result((t1 - t0) / 1e6 / iterations, (t2 - t1) / 1e6 / iterations, cutouts, iterations);
        }
    }

    private static void forward(Clip clip, NDArray pixels) {
        try (NDManager step = pixels.getManager().newSubManager()) {
            NDArray x = pixels.duplicate();
            x.attach(step);
            clip.encodeImage(clip.normalize(x)).toFloatArray(); // forces the computation to finish
        }
    }

    private static void forwardBackward(Clip clip, NDArray pixels, NDArray target) {
        try (NDManager step = pixels.getManager().newSubManager()) {
            NDArray x = pixels.duplicate();
            x.attach(step);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray a = clip.encodeImage(clip.normalize(x)).normalize(2, -1, 1e-12);
                NDArray d = a.sub(target);
                NDArray loss = d.mul(d).sum(new int[] {-1}).sqrt().div(2).asin().square().mul(2).mean();
                gc.backward(loss);
            }
            x.getGradient().toFloatArray();
        }
    }
}
