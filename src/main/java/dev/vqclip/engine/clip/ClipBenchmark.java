package dev.vqclip.engine.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.nn.Tensors;

import java.util.Arrays;

/**
 * Times the hot path of VQGAN-CLIP: the image encoder on a batch of cutouts, forward only and forward + backward
 * with respect to the pixels (through {@link Clip#normalize}, to a spherical-distance loss as the optimisation uses).
 */
public final class ClipBenchmark {
    private ClipBenchmark() {
    }

    /**
     * Timings in milliseconds per iteration (one batch). Medians are reported because a shared machine makes single
     * iterations noisy; the best iteration shows what the hardware can do.
     *
     * @param msForward median of one forward pass over the batch
     * @param msForwardBackward median of forward + backward over the batch
     * @param bestForward fastest forward pass
     * @param bestForwardBackward fastest forward + backward
     * @param cutouts batch size
     * @param iterations timed iterations of each kind
     */
    public record Result(double msForward, double msForwardBackward, double bestForward, double bestForwardBackward,
                         int cutouts, int iterations) {
    }

    /**
     * Runs {@code warmup} untimed iterations of each kind, then {@code iterations} timed ones (interleaved). Every iteration uses
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
            double[] fwd = new double[iterations];
            double[] both = new double[iterations];
            // interleaved, so that both kinds see the same machine load
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                forward(clip, pixels);
                long t1 = System.nanoTime();
                forwardBackward(clip, pixels, target);
                fwd[i] = (t1 - t0) / 1e6;
                both[i] = (System.nanoTime() - t1) / 1e6;
            }
            Arrays.sort(fwd);
            Arrays.sort(both);
            return new Result(median(fwd), median(both), fwd[0], both[0], cutouts, iterations);
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
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
                NDArray half = Tensors.div(d.mul(d).sum(new int[] {-1}).sqrt(), 2);
                NDArray loss = Tensors.mul(half.asin().square(), 2).mean();
                gc.backward(loss);
            }
            x.getGradient().toFloatArray();
        }
    }
}
