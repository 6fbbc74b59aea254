package dev.vqclip.engine.vqgan;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.SplittableRandom;

/**
 * Times the decoder, the hot path of every optimisation step: decode alone (no autograd) and quantize + decode +
 * backward to the latent, as one VQGAN-CLIP step does. Each iteration runs in its own sub-manager.
 */
public final class VqganBenchmark {
    private VqganBenchmark() {
    }

    /**
     * @param msDecode mean wall-clock milliseconds of one decode
     * @param msDecodeBackward mean wall-clock milliseconds of quantize + decode + backward to z
     * @param cpuMsDecode mean process CPU milliseconds (all threads) of one decode, NaN where unavailable
     * @param cpuMsDecodeBackward mean process CPU milliseconds of one step with backward, NaN where unavailable
     */
    public record Result(double msDecode, double msDecodeBackward, double cpuMsDecode, double cpuMsDecodeBackward) {
        /** @return how many times longer a step with backward takes than a decode alone */
        public double ratio() {
            return msDecodeBackward / msDecode;
        }
    }

    /**
     * @param vq the model
     * @param batch images per decode
     * @param latentH latent rows (image height / factor)
     * @param latentW latent columns
     * @param warmup untimed iterations of each kind first
     * @param iterations timed iterations of each kind
     */
    public static Result run(Vqgan vq, int batch, int latentH, int latentW, int warmup, int iterations) {
        if (batch < 1 || latentH < 1 || latentW < 1 || warmup < 0 || iterations < 1) {
            throw new IllegalArgumentException("benchmark needs batch, size and iterations ≥ 1");
        }
        Shape shape = new Shape(batch, vq.embedDim(), latentH, latentW);
        float[] z0 = new float[Math.toIntExact(shape.size())];
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < z0.length; i++) {
            z0[i] = (float) (r.nextDouble() * 2 - 1);
        }
        try (NDManager base = NDManager.newBaseManager(vq.device())) {
            NDArray codes = vq.quantize(base.create(z0, shape)).zqExact();
            for (int i = 0; i < warmup; i++) {
                decodeOnce(vq, codes);
            }
            long t0 = System.nanoTime();
            long c0 = cpuNanos();
            for (int i = 0; i < iterations; i++) {
                decodeOnce(vq, codes);
            }
            double msDecode = (System.nanoTime() - t0) / 1e6 / iterations;
            double cpuDecode = (cpuNanos() - c0) / 1e6 / iterations;
            for (int i = 0; i < warmup; i++) {
                stepOnce(vq, base, z0, shape);
            }
            t0 = System.nanoTime();
            c0 = cpuNanos();
            for (int i = 0; i < iterations; i++) {
                stepOnce(vq, base, z0, shape);
            }
            double msStep = (System.nanoTime() - t0) / 1e6 / iterations;
            double cpuStep = (cpuNanos() - c0) / 1e6 / iterations;
            boolean cpu = cpuNanos() >= 0;
            return new Result(msDecode, msStep, cpu ? cpuDecode : Double.NaN, cpu ? cpuStep : Double.NaN);
        }
    }

    /** @return CPU time of the whole process (native threads included), or -1 where the JVM does not tell */
    private static long cpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    private static void decodeOnce(Vqgan vq, NDArray codes) {
        try (NDManager step = codes.getManager().newSubManager()) {
            codes.tempAttach(step);
            // reading one number waits for the device to finish
            vq.decode(codes).sum().getFloat();
        }
    }

    private static void stepOnce(Vqgan vq, NDManager base, float[] z0, Shape shape) {
        try (NDManager step = base.newSubManager()) {
            NDArray z = step.create(z0, shape);
            z.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = vq.decode(vq.quantize(z).zq());
                gc.backward(out.mean());
            }
            z.getGradient().sum().getFloat();
        }
    }
}
