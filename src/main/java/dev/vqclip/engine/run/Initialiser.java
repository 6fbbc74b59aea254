package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.vqgan.Vqgan;

import java.util.SplittableRandom;

/** The initial latent of a run: random codebook entries, noise, or an image's encoding. */
final class Initialiser {
    private Initialiser() {
    }

    /** @return z as (1, C, rows, cols) in C order */
    static float[] initialLatent(RunModels models, GenerationRequest r, int rows, int cols) {
        Vqgan vq = models.vqgan();
        int c = vq.embedDim();
        SplittableRandom rng = Run.randomFor(r.seed(), -1);
        switch (r.init()) {
            case RANDOM_CODES -> {
                float[] book = vq.codebook().toFloatArray();
                int n = book.length / c;
                float[] z = new float[c * rows * cols];
                for (int p = 0; p < rows * cols; p++) {
                    int code = rng.nextInt(n);
                    for (int ch = 0; ch < c; ch++) {
                        z[ch * rows * cols + p] = book[code * c + ch];
                    }
                }
                return z;
            }
            case NOISE -> {
                float[] book = vq.codebook().toFloatArray();
                double mean = 0;
                double sq = 0;
                for (float b : book) {
                    mean += b;
                    sq += (double) b * b;
                }
                mean /= book.length;
                double std = Math.sqrt(Math.max(0, sq / book.length - mean * mean));
                float[] z = new float[c * rows * cols];
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) (mean + std * gaussian(rng));
                }
                return z;
            }
            case IMAGE -> {
                int f = vq.factor();
                Frame img = Images.coverAndCrop(Images.read(r.initImage()), cols * f, rows * f);
                try (NDManager sm = NDManager.newBaseManager(models.device())) {
                    NDArray x = Tensors.mul(Images.toTensor(img, sm), 2f).sub(1f);
                    NDArray zq = vq.quantize(vq.encode(x)).zqExact();
                    Shape s = zq.getShape();
                    if (s.get(1) != c || s.get(2) != rows || s.get(3) != cols) {
                        throw new IllegalStateException("encoder gave " + s + ", expected (1," + c + "," + rows + ","
                                + cols + ")");
                    }
                    return zq.toFloatArray();
                }
            }
            default -> throw new IllegalStateException("unknown init " + r.init());
        }
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
