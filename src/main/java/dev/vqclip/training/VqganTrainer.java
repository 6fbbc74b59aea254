package dev.vqclip.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.nn.ThreadAutograd;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.vqgan.VqganConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains a small taming-architecture VQGAN ({@code VQModel}) on {@link ShapesWorld} scenes: reconstruction (L1)
 * plus taming's {@code VectorQuantizer2} loss in its legacy form, {@code mean((sg(zq) − z)²) + β·mean((zq − sg(z))²)}
 * with β = 0.25, straight-through gradients to the encoder, Adam with taming's betas (0.5, 0.9). The codebook starts
 * from encoder outputs of the first batch and codes unused for a while are restarted at current encoder outputs,
 * so the whole codebook stays alive. No discriminator.
 *
 * <p>Deterministic for a seed on one machine: the data and the initial weights are drawn from Java generators seeded
 * by it. Stateless; {@link #train} owns every array it makes and returns plain Java values.
 */
final class VqganTrainer {
    static final String CODEBOOK = "quantize.embedding.weight";

    /**
     * @param steps optimiser steps
     * @param warmup first steps trained as a plain autoencoder (no quantisation); then the codebook starts as
     *     k-means centroids of the encoder's outputs
     * @param batch images per step
     * @param imageSize side of the rendered scenes
     * @param cropSize side of the random crops trained on (a multiple of 8)
     * @param noise standard deviation of Gaussian pixel noise (in [-1, 1] units), so no crop is perfectly flat
     * @param lr peak learning rate (warm-up, then cosine decay to a tenth)
     * @param beta β of the quantiser loss
     * @param restartEvery restart codes unused for this many steps (0: never)
     * @param clipNorm the global gradient norm is clipped to this
     * @param balance weight the L1 loss so that each image's shape pixels and background pixels count equally
     *     (otherwise a small shape is a few percent of the loss, and its colour is what gets lost)
     */
    record Settings(int steps, int warmup, int batch, int imageSize, int cropSize, double noise, double lr,
                    double beta, int restartEvery, double clipNorm, boolean balance) {
        Settings {
            if (steps < 1 || warmup < 0 || warmup >= steps || batch < 1 || imageSize < 8 || cropSize < 8 || cropSize > imageSize || cropSize % 8 != 0
                    || noise < 0 || !(lr > 0) || beta < 0 || restartEvery < 0 || !(clipNorm > 0)) {
                throw new IllegalArgumentException("bad VQGAN training settings: " + steps + " steps, batch "
                        + batch + ", size " + imageSize + ", lr " + lr + ", beta " + beta);
            }
        }
    }

    /**
     * @param weights the trained tensors by state-dict name (float32 values and shapes)
     * @param shapes their shapes
     * @param reconstructionL1 mean |x − x̂| over the last 10% of steps (pixels in [-1, 1])
     * @param quantizerLoss the quantiser loss over the last 10% of steps
     * @param codesUsed distinct codes chosen over the last 10% of steps
     * @param restarts codes restarted in total
     */
    record Result(Map<String, float[]> weights, Map<String, long[]> shapes, double reconstructionL1,
                  double quantizerLoss, int codesUsed, int restarts) {
    }

    private VqganTrainer() {
    }

    /**
     * The demo architecture: f8 (four levels), 32 base channels doubled at every level (64 channels, so two per
     * normalisation group: with one channel per group, as {@code ch_mult 1} at the first level gives, the decoder's
     * last GroupNorm erases the absolute level of every channel and flat two-colour scenes cannot be reconstructed),
     * the given codebook.
     */
    static VqganConfig config(int nEmbed, int embedDim, int resolution) {
        return new VqganConfig("demo", VqganConfig.Variant.VQ, embedDim, nEmbed, false, embedDim, resolution, 3, 3,
                32, List.of(2, 2, 2, 2), 1, List.of(), 0.0);
    }

    static Result train(VqganConfig cfg, Settings s, long seed, Device device, Consumer<String> log) {
        SplittableRandom data = new SplittableRandom(seed);
        SplittableRandom codes = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int c = cfg.embedDim();
        int k = cfg.nEmbed();
        int tail = Math.max(1, s.steps() / 10);
        double recSum = 0;
        double vqSum = 0;
        boolean[] usedTail = new boolean[k];
        int restarts = 0;
        try (NDManager master = NDManager.newBaseManager(device)) {
            Map<String, NDArray> weights = ParameterAdam.initialWeights(Vqgan.randomWeights(cfg, device, seed),
                    Vqgan::parameters, master);
            ParameterAdam adam = new ParameterAdam(weights, master, 0.5, 0.9, 1e-8);
            int[] lastUsed = new int[k];
            List<float[]> recent = new java.util.ArrayList<>();
            StepTimer timer = new StepTimer();
            for (int step = 0; step < s.steps(); step++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.util.concurrent.CancellationException("VQGAN training cancelled at step "
                            + (step + 1));
                }
                boolean quantise = step >= s.warmup();
                // the balanced loss's per-pixel weights; not computed when the loss is plain
                float[] weightMap = s.balance() ? new float[s.batch() * s.cropSize() * s.cropSize()] : null;
                float[] pixels = batch(data, s.batch(), s.imageSize(), s.cropSize(), s.noise(), weightMap);
                try (NDManager sm = master.newSubManager()) {
                    NDArray x = sm.create(pixels, new Shape(s.batch(), 3, s.cropSize(), s.cropSize()));
                    if (step == s.warmup()) {
                        if (recent.isEmpty()) {
                            // no warm-up (very short runs): start from this batch's encoder outputs
                            try (Vqgan m = Vqgan.fromParameters(cfg, weights)) {
                                recent.add(m.encode(x).transpose(0, 2, 3, 1).reshape(-1, c).toFloatArray());
                            }
                        }
                        initCodebook(weights.get(CODEBOOK), recent, c, k, codes);
                        java.util.Arrays.fill(lastUsed, step);
                    }
                    Map<String, NDArray> leaves = adam.leaves(sm);
                    float rec;
                    float vq;
                    long[] idx;
                    float[] latentRows;
                    try (ThreadAutograd gc = ThreadAutograd.open()) {
                        Vqgan model = Vqgan.fromParameters(cfg, leaves);
                        NDArray h = model.encode(x);
                        long hh = h.getShape().get(2);
                        long ww = h.getShape().get(3);
                        NDArray rows = h.transpose(0, 2, 3, 1).reshape(-1, c);
                        NDArray book = leaves.get(CODEBOOK);
                        NDArray index = nearest(rows.stopGradient(), book.stopGradient());
                        NDArray e = book.get(new NDIndex("{}", index));
                        NDArray commit = rows.sub(e.stopGradient()).square().mean();
                        NDArray codebook = e.sub(rows.stopGradient()).square().mean();
                        NDArray vqLoss = commit.add(Tensors.mul(codebook, (float) s.beta()));
                        NDArray zq = quantise ? rows.add(e.sub(rows).stopGradient()).reshape(s.batch(), hh, ww, c)
                                .transpose(0, 3, 1, 2) : h;
                        NDArray recon = model.decode(zq);
                        NDArray err = recon.sub(x).abs();
                        NDArray l1 = err.mean();
                        NDArray recLoss = weightMap == null ? l1 : err.mul(Tensors.fromHost(sm, weightMap,
                                new Shape(s.batch(), 1, s.cropSize(), s.cropSize()))).mean();
                        gc.backward(quantise ? recLoss.add(vqLoss) : recLoss);
                        rec = l1.getFloat();
                        vq = vqLoss.getFloat();
                        idx = index.toLongArray();
                        latentRows = rows.stopGradient().toFloatArray();
                        model.close();
                    }
                    adam.step(leaves, learningRate(s.steps(), s.lr(), step), s.clipNorm(), sm);
                    if (step >= s.warmup() - KMEANS_BATCHES) {
                        recent.add(latentRows);
                        if (recent.size() > KMEANS_BATCHES) {
                            recent.remove(0);
                        }
                    }
                    for (long i : idx) {
                        lastUsed[(int) i] = step;
                        if (step >= s.steps() - tail) {
                            usedTail[(int) i] = true;
                        }
                    }
                    if (step >= s.steps() - tail) {
                        recSum += rec;
                        vqSum += vq;
                    }
                    if (quantise && s.restartEvery() > 0 && (step - s.warmup()) % s.restartEvery() == 0
                            && step > s.warmup() && step < s.steps() - tail) {
                        float[] pool = concat(recent);
                        restarts += restartDead(weights.get(CODEBOOK), lastUsed, step - s.restartEvery(),
                                pool, c, codes);
                    }
                    if (step % 20 == 0 || step == s.steps() - 1) {
                        log.accept(String.format(java.util.Locale.ROOT,
                                "vqgan step %d/%d: L1 %.4f, quantiser %.4f%s (%s)", step + 1, s.steps(), rec, vq,
                                quantise ? "" : ", autoencoder warm-up", timer.progress(step + 1, s.steps())));
                    }
                }
            }
            int used = 0;
            for (boolean u : usedTail) {
                used += u ? 1 : 0;
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                out.put(e.getKey(), e.getValue().toFloatArray());
                shapes.put(e.getKey(), e.getValue().getShape().getShape());
            }
            return new Result(out, shapes, recSum / tail, vqSum / tail, used, restarts);
        }
    }

    /** Warm-up over the first 5% of steps, then cosine decay to a tenth of the peak. */
    static double learningRate(int steps, double lr, int step) {
        int warm = Math.max(1, steps / 20);
        if (step < warm) {
            return lr * (step + 1) / warm;
        }
        double p = (double) (step - warm) / Math.max(1, steps - warm);
        return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)));
    }

    /**
     * @return random crops of random scenes as (n, 3, crop, crop) planar pixels in [-1, 1], with Gaussian noise.
     *     Three crops in four are centred near the shape (so shape and background share the pixels, and the loss is
     *     not dominated by flat background); the others are anywhere. {@code weights} (n × crop × crop) receives the
     *     balanced loss's per-pixel weights (null: not needed).
     */
    static float[] batch(SplittableRandom rng, int n, int side, int crop, double noise, float[] weights) {
        int plane = crop * crop;
        float[] out = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            ShapesWorld.Scene scene = ShapesWorld.sample(rng);
            Frame f = scene.render(side);
            float[] p = f.toPlanarRgb();
            int x0;
            int y0;
            if (rng.nextInt(4) < 3) {
                double jitter = crop * 0.4;
                x0 = (int) Math.round(side * scene.position().x - crop / 2.0 + (rng.nextDouble() * 2 - 1) * jitter);
                y0 = (int) Math.round(side * scene.position().y - crop / 2.0 + (rng.nextDouble() * 2 - 1) * jitter);
                x0 = Math.max(0, Math.min(side - crop, x0));
                y0 = Math.max(0, Math.min(side - crop, y0));
            } else {
                x0 = rng.nextInt(side - crop + 1);
                y0 = rng.nextInt(side - crop + 1);
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < crop; y++) {
                    for (int x = 0; x < crop; x++) {
                        float v = p[c * side * side + (y0 + y) * side + x0 + x] * 2 - 1;
                        if (noise > 0) {
                            v += (float) (rng.nextGaussian() * noise);
                        }
                        out[i * 3 * plane + c * plane + y * crop + x] = v;
                    }
                }
            }
            if (weights != null) {
                balancedWeights(f, scene.background(), x0, y0, crop, weights, i * plane);
            }
        }
        return out;
    }

    /**
     * Writes the crop's balanced-loss weights at {@code offset}: shape pixels (any pixel not exactly the background,
     * edges included) and background pixels get equal total weight, and the mean weight is 1.
     */
    private static void balancedWeights(Frame f, ShapesWorld.Colour background, int x0, int y0, int crop,
                                        float[] weights, int offset) {
        int bg = background.rgb() & 0xffffff;
        int side = f.width();
        int plane = crop * crop;
        int shapePx = 0;
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                boolean shape = (f.argb()[(y0 + y) * side + x0 + x] & 0xffffff) != bg;
                weights[offset + y * crop + x] = shape ? 1f : 0f;
                shapePx += shape ? 1 : 0;
            }
        }
        float ws = shapePx == 0 || shapePx == plane ? 1f : 0.5f * plane / shapePx;
        float wb = shapePx == 0 || shapePx == plane ? 1f : 0.5f * plane / (plane - shapePx);
        for (int j = offset; j < offset + plane; j++) {
            weights[j] = weights[j] == 1f ? ws : wb;
        }
    }

    /** @return for each row the index of the nearest codebook row (squared Euclidean; ties: the first) */
    private static NDArray nearest(NDArray rows, NDArray book) {
        NDArray d = rows.square().sum(new int[] {1}, true)
                .add(book.square().sum(new int[] {1}).reshape(1, -1))
                .sub(Tensors.mul(rows.matMul(book.transpose()), 2));
        return d.argMin(1);
    }

    /** Batches of encoder outputs kept for the k-means initialisation and for restarting codes. */
    static final int KMEANS_BATCHES = 16;

    private static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * Sets the codebook to k-means centroids (Lloyd's algorithm from random distinct starts, 20 rounds; an empty
     * cluster takes a random point) of recent encoder outputs.
     */
    static void initCodebook(NDArray codebook, List<float[]> recent, int c, int k, SplittableRandom rng) {
        float[] pts = concat(recent);
        int n = pts.length / c;
        if (n == 0) {
            throw new IllegalStateException("no encoder outputs to initialise the codebook from");
        }
        float[] centres = new float[k * c];
        for (int i = 0; i < k; i++) {
            System.arraycopy(pts, rng.nextInt(n) * c, centres, i * c, c);
        }
        int[] assign = new int[n];
        for (int round = 0; round < 20; round++) {
            for (int p = 0; p < n; p++) {
                double best = Double.MAX_VALUE;
                for (int i = 0; i < k; i++) {
                    double d = 0;
                    for (int j = 0; j < c; j++) {
                        double t = pts[p * c + j] - centres[i * c + j];
                        d += t * t;
                    }
                    if (d < best) {
                        best = d;
                        assign[p] = i;
                    }
                }
            }
            double[] sum = new double[k * c];
            int[] count = new int[k];
            for (int p = 0; p < n; p++) {
                count[assign[p]]++;
                for (int j = 0; j < c; j++) {
                    sum[assign[p] * c + j] += pts[p * c + j];
                }
            }
            for (int i = 0; i < k; i++) {
                int from = rng.nextInt(n);
                for (int j = 0; j < c; j++) {
                    centres[i * c + j] = count[i] > 0 ? (float) (sum[i * c + j] / count[i]) : pts[from * c + j];
                }
            }
        }
        codebook.set(centres);
    }

    /** Moves codes not chosen since {@code before} onto random current encoder outputs; @return how many */
    private static int restartDead(NDArray codebook, int[] lastUsed, int before, float[] rows, int c,
                                   SplittableRandom rng) {
        float[] book = codebook.toFloatArray();
        int n = rows.length / c;
        int count = 0;
        for (int i = 0; i < lastUsed.length; i++) {
            if (lastUsed[i] < before) {
                int pick = rng.nextInt(n);
                for (int j = 0; j < c; j++) {
                    book[i * c + j] = rows[pick * c + j] + (float) (rng.nextGaussian() * 1e-3);
                }
                lastUsed[i] = before + 1;
                count++;
            }
        }
        if (count > 0) {
            codebook.set(book);
        }
        return count;
    }
}
