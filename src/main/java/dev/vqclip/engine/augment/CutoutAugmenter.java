package dev.vqclip.engine.augment;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.nn.Tensors;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Makes the batch of randomly cut and augmented views of an image that CLIP embeds in every VQGAN-CLIP step.
 * Differentiable with respect to the image, so the loss on the cutouts reaches the VQGAN latent.
 *
 * <p><b>Cutouts</b> (as nerdyrodent/VQGAN-CLIP's {@code MakeCutouts}): for an H×W image, with {@code max = min(H, W)}
 * and {@code min = min(H, W, cutSize)}, each cutout is a square of side {@code (int) (u^cutPow · (max − min) + min)}
 * ({@code u} uniform in [0, 1)) at a uniformly random position; it is resized to {@code cutSize} by area averaging
 * (adaptive average pooling), or bilinearly (align_corners false) when it is smaller than {@code cutSize} (only
 * possible when the image itself is smaller).
 *
 * <p><b>Augmentations</b> (each switchable through {@link Augmentations}; probabilities per cutout):
 * <ul>
 *   <li>horizontal flip, p {@value #FLIP_P};</li>
 *   <li>affine, p {@value #AFFINE_P}: rotation uniform in ±{@value #AFFINE_DEGREES}° about the centre, then a
 *       translation uniform in ±{@value #AFFINE_TRANSLATE} of the cut size on each axis; outside the cutout reads
 *       the nearest border pixel (kornia {@code RandomAffine(degrees=15, translate=0.1, padding_mode='border')});</li>
 *   <li>perspective, p {@value #PERSPECTIVE_P}: each corner moves inward by {@code u · }{@value #PERSPECTIVE_DISTORTION}
 *       {@code · cutSize/2} on each axis (u uniform in [0, 1), independently per corner and axis), as kornia's
 *       {@code RandomPerspective(0.7)}; outside the moved quadrilateral reads 0 (kornia's zeros padding);</li>
 *   <li>colour jitter, p {@value #JITTER_P}: saturation factor uniform in 1 ± {@value #JITTER_SATURATION} and hue
 *       rotation uniform in ±{@value #JITTER_HUE} turn. Done as one linear 3×3 map per cutout in <b>YIQ space</b>
 *       ({@code RGB → YIQ}, rotate the (I, Q) chroma plane by the hue angle and scale it by the saturation, back to
 *       RGB): luma is kept, grey stays grey, and it is exactly differentiable. This approximates kornia's HSV
 *       {@code ColorJitter(hue=0.1, saturation=0.1)}; unlike HSV it does not clamp to [0, 1];</li>
 *   <li>Gaussian noise: per cutout a std uniform in [0, noiseFactor], times unit normal noise per element (as
 *       {@code MakeCutouts}' {@code noise_fac}). Not clamped.</li>
 * </ul>
 * Flip, affine and perspective are composed on the host into one projective map per cutout and applied by a single
 * batched {@link BilinearSampler} pass (one resampling instead of three, so no cumulative blur); the border padding
 * of the affine and the zero padding of the perspective are both kept (see {@link #apply(NDArray, CutoutPlan)}).
 *
 * <p><b>Determinism</b>: {@link #plan} draws every random number on the host from the caller's generator, the same
 * count per cutout whatever is switched on (so switching an augmentation off changes nothing else), and the noise
 * is drawn from a seed in the plan: on the host for a CPU image, by the engine's generator seeded right before the
 * draw for a GPU image (see {@link #unitNoise}). The output is therefore a pure function of the generator's state and
 * the image on a given device.
 *
 * <p><b>Tensor scoping</b>: all arrays are made by operations on the image or created on its manager and device; the
 * temporaries are closed before {@code apply} returns (the autograd graph keeps what backward needs), so the only
 * array left in the image's manager is the result, which the caller owns (normally a per-step sub-manager closes it).
 * Only a few numbers per cutout cross from host to device; nothing image-sized does.
 *
 * <p>Not thread-safe in the sense of the engine: call it on the engine thread, like every other DJL work.
 */
public final class CutoutAugmenter {
    /** Probability of a horizontal flip. */
    public static final double FLIP_P = 0.5;
    /** Probability of the random affine. */
    public static final double AFFINE_P = 0.7;
    /** Largest rotation of the random affine, degrees. */
    public static final double AFFINE_DEGREES = 15;
    /** Largest translation of the random affine, fraction of the cut size. */
    public static final double AFFINE_TRANSLATE = 0.1;
    /** Probability of the random perspective. */
    public static final double PERSPECTIVE_P = 0.7;
    /** Kornia's {@code distortion_scale} of the random perspective. */
    public static final double PERSPECTIVE_DISTORTION = 0.7;
    /** Probability of the colour jitter. */
    public static final double JITTER_P = 0.7;
    /** Largest hue rotation, fraction of a full turn. */
    public static final double JITTER_HUE = 0.1;
    /** Largest saturation change: factor in 1 ± this. */
    public static final double JITTER_SATURATION = 0.1;

    /** NTSC RGB → YIQ. */
    private static final double[] RGB_TO_YIQ = {
        0.299, 0.587, 0.114,
        0.595716, -0.274453, -0.321263,
        0.211456, -0.522591, 0.311135};
    private static final double[] YIQ_TO_RGB = Homography.invert(RGB_TO_YIQ);

    private final int cutSize;
    private final int cutouts;
    private final double cutPow;
    private final Augmentations aug;

    /**
     * @param cutSize side of each output cutout (CLIP's input resolution, e.g. 224)
     * @param cutouts number of cutouts per call (e.g. 32)
     * @param cutPow exponent of the size distribution; 1 = uniform sizes, larger = more small cutouts
     * @param aug which augmentations to apply
     */
    public CutoutAugmenter(int cutSize, int cutouts, double cutPow, Augmentations aug) {
        if (cutSize < 1 || cutouts < 1) {
            throw new IllegalArgumentException("cut size and cutout count must be positive, got " + cutSize + ", "
                    + cutouts);
        }
        if (!(cutPow > 0) || Double.isInfinite(cutPow)) {
            throw new IllegalArgumentException("cut power must be a positive number, got " + cutPow);
        }
        Objects.requireNonNull(aug, "aug");
        if (!(aug.noiseFactor() >= 0) || Double.isInfinite(aug.noiseFactor())) {
            throw new IllegalArgumentException("noise factor must be ≥ 0, got " + aug.noiseFactor());
        }
        this.cutSize = cutSize;
        this.cutouts = cutouts;
        this.cutPow = cutPow;
        this.aug = aug;
    }

    /** @return the side of each output cutout */
    public int cutSize() {
        return cutSize;
    }

    /** @return the number of cutouts per call */
    public int cutouts() {
        return cutouts;
    }

    /** @return the exponent of the cutout size distribution */
    public double cutPow() {
        return cutPow;
    }

    /** @return the augmentation switches */
    public Augmentations augmentations() {
        return aug;
    }

    /**
     * A generator that is a pure function of (seed, step), for "the randomness of step k depends only on the seed and
     * k": a {@link SplittableRandom} seeded with a SplitMix64 mix of both, so neighbouring steps and seeds give
     * unrelated streams.
     *
     * @param seed the run's seed
     * @param step the step number
     * @return a fresh generator; the same arguments always give the same stream
     */
    public static RandomGenerator randomForStep(long seed, long step) {
        return new SplittableRandom(mix(mix(seed) + step * 0x9E3779B97F4A7C15L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Cuts and augments {@code image}: {@code apply(image, plan(H, W, rng))}.
     *
     * @param image 1×3×H×W in [0, 1], float32 or float64, any device; may require a gradient
     * @param rng source of every random choice; advanced by a fixed amount per call
     * @return N×3×cutSize×cutSize on the image's device, owned by the image's manager
     * @throws IllegalArgumentException when the image is not 1×3×H×W floating point
     */
    public NDArray apply(NDArray image, RandomGenerator rng) {
        Shape s = checkImage(image);
        return apply(image, plan((int) s.get(2), (int) s.get(3), rng));
    }

    /**
     * Draws the random choices for an H×W image. Per cutout, in this order: size (1 double), x offset, y offset
     * (1 int each), flip (1), affine (apply, angle, tx, ty: 4), perspective (apply + 8 corner amounts: 9), jitter
     * (apply, saturation, hue: 3), noise std (1); finally the noise seed (1 int). All are drawn whatever the switches
     * say; a switched-off augmentation gets its identity parameters.
     *
     * @param height image height H
     * @param width image width W
     * @param rng the generator; advanced by exactly the draws listed above
     * @return the plan
     */
    public CutoutPlan plan(int height, int width, RandomGenerator rng) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "×" + width);
        }
        int maxSize = Math.min(height, width);
        int minSize = Math.min(maxSize, cutSize);
        double last = cutSize - 1.0;
        double reach = PERSPECTIVE_DISTORTION * cutSize / 2;
        List<CutoutPlan.Cutout> list = new ArrayList<>(cutouts);
        for (int i = 0; i < cutouts; i++) {
            double u = rng.nextDouble();
            int size = Math.min(maxSize, (int) (Math.pow(u, cutPow) * (maxSize - minSize) + minSize));
            int ox = rng.nextInt(width - size + 1);
            int oy = rng.nextInt(height - size + 1);

            boolean flip = rng.nextDouble() < FLIP_P;

            boolean affine = rng.nextDouble() < AFFINE_P;
            double degrees = rng.nextDouble(-AFFINE_DEGREES, AFFINE_DEGREES);
            double tx = rng.nextDouble(-AFFINE_TRANSLATE, AFFINE_TRANSLATE) * cutSize;
            double ty = rng.nextDouble(-AFFINE_TRANSLATE, AFFINE_TRANSLATE) * cutSize;

            boolean perspective = rng.nextDouble() < PERSPECTIVE_P;
            double[] corners = {0, 0, last, 0, last, last, 0, last};
            double[] inward = {1, 1, -1, 1, -1, -1, 1, -1};
            for (int k = 0; k < 8; k++) {
                corners[k] += reach * rng.nextDouble() * inward[k];
            }

            boolean jitter = rng.nextDouble() < JITTER_P;
            double saturation = rng.nextDouble(1 - JITTER_SATURATION, 1 + JITTER_SATURATION);
            double hue = rng.nextDouble(-JITTER_HUE, JITTER_HUE);

            double noiseStd = rng.nextDouble() * aug.noiseFactor();

            boolean useAffine = aug.affine() && affine;
            boolean useJitter = aug.colorJitter() && jitter;
            list.add(new CutoutPlan.Cutout(size, ox, oy, aug.flip() && flip,
                    useAffine ? degrees : 0, useAffine ? tx : 0, useAffine ? ty : 0,
                    aug.perspective() && perspective && cutSize > 1 ? corners : null,
                    useJitter ? hue : 0, useJitter ? saturation : 1,
                    aug.noise() ? noiseStd : 0));
        }
        int noiseSeed = rng.nextInt();
        return new CutoutPlan(height, width, cutSize, list, noiseSeed);
    }

    /**
     * Executes a plan: crops and resizes, warps (one bilinear pass with the composed map
     * {@code perspective ∘ affine ∘ flip}, coordinates clamped to the cutout as the affine's border padding, and
     * multiplied by the perspective's zero-padding coverage {@code clamp(min(q+1, size−q), 0, 1)} per axis of the
     * point q before the perspective, which is what a zeros-padded bilinear sample would weigh), recolours, adds noise.
     * Stages whose parameters are the identity for every cutout are skipped.
     *
     * @param image 1×3×H×W, H and W as in the plan
     * @param plan the random choices, e.g. from {@link #plan}; its cut size need not match this augmenter's
     * @return N×3×cutSize×cutSize (N and cutSize from the plan) on the image's device, owned by the image's manager
     */
    public static NDArray apply(NDArray image, CutoutPlan plan) {
        Shape s = checkImage(image);
        if (s.get(2) != plan.imageHeight() || s.get(3) != plan.imageWidth()) {
            throw new IllegalArgumentException("the plan was drawn for a " + plan.imageHeight() + "×"
                    + plan.imageWidth() + " image, got " + s.get(2) + "×" + s.get(3));
        }
        int c = plan.cutSize();
        List<CutoutPlan.Cutout> cuts = plan.cutouts();
        Temps t = new Temps();
        try {
            NDList crops = new NDList(cuts.size());
            for (CutoutPlan.Cutout cut : cuts) {
                int x = cut.offsetX();
                int y = cut.offsetY();
                int size = cut.size();
                NDArray crop = t.keep(image.get(new NDIndex(":, :, {}:{}, {}:{}", y, y + size, x, x + size)));
                if (size != c) {
                    // area (adaptive average pooling) to shrink, bilinear to enlarge
                    crop = t.keep(crop.getNDArrayInternal().interpolation(new long[] {c, c}, size > c ? 2 : 1,
                            false));
                }
                crops.add(crop);
            }
            NDArray batch = crops.size() == 1 ? crops.get(0) : t.keep(NDArrays.concat(crops, 0));
            if (cuts.stream().anyMatch(CutoutPlan.Cutout::warps)) {
                batch = t.keep(warp(batch, cuts, c, t));
            }
            if (cuts.stream().anyMatch(CutoutPlan.Cutout::recolours)) {
                batch = t.keep(recolour(batch, cuts, c, t));
            }
            if (cuts.stream().anyMatch(cut -> cut.noiseStd() > 0)) {
                batch = t.keep(addNoise(batch, cuts, plan.noiseSeed(), t));
            }
            t.release(batch);
            return batch;
        } finally {
            t.close();
        }
    }

    private static NDArray warp(NDArray batch, List<CutoutPlan.Cutout> cuts, int c, Temps t) {
        int n = cuts.size();
        boolean anyPerspective = false;
        // per cutout a 3×6 block: columns 0..2 = Sᵀ (sampling map), 3..5 = Qᵀ (inverse perspective)
        double[] mt = new double[n * 18];
        for (int i = 0; i < n; i++) {
            CutoutPlan.Cutout cut = cuts.get(i);
            double[] forward = Homography.identity();
            if (cut.flip()) {
                forward = Homography.horizontalFlip(c);
            }
            if (cut.degrees() != 0 || cut.translateX() != 0 || cut.translateY() != 0) {
                double centre = (c - 1) / 2.0;
                forward = Homography.multiply(Homography.rotationAbout(centre, centre, cut.degrees(),
                        cut.translateX(), cut.translateY()), forward);
            }
            double[] inversePerspective = Homography.identity();
            double[] corners = cut.perspective();
            if (corners != null) {
                double last = c - 1.0;
                double[] p = Homography.fromFourPoints(new double[] {0, 0, last, 0, last, last, 0, last}, corners);
                forward = Homography.multiply(p, forward);
                inversePerspective = Homography.invert(p);
                anyPerspective = true;
            }
            double[] sampling = Homography.isIdentity(forward) ? forward : Homography.invert(forward);
            for (int k = 0; k < 3; k++) {
                for (int j = 0; j < 3; j++) {
                    mt[i * 18 + k * 6 + j] = sampling[3 * j + k];
                    mt[i * 18 + k * 6 + 3 + j] = inversePerspective[3 * j + k];
                }
            }
        }
        NDManager m = batch.getManager();
        Device dev = batch.getDevice();
        DataType dt = batch.getDataType();
        NDArray xs = t.keep(m.arange(0f, c, 1f, dt, dev));
        NDArray cols = t.keep(t.keep(xs.reshape(1, c)).broadcast(c, c));
        NDArray rows = t.keep(t.keep(xs.reshape(c, 1)).broadcast(c, c));
        NDArray ones = t.keep(m.ones(new Shape(c, c), dt, dev));
        NDArray base = t.keep(t.keep(NDArrays.stack(new NDList(cols, rows, ones), 2)).reshape((long) c * c, 3));
        NDArray matrices = t.keep(constant(m, dev, dt, mt, new Shape(n, 3, 6)));
        NDArray coords = t.keep(base.matMul(matrices)); // N × c² × 6
        NDArray sx = t.keep(ratio(coords, 0, 2, n, c, t));
        NDArray sy = t.keep(ratio(coords, 1, 2, n, c, t));
        NDArray sampled = BilinearSampler.sample(batch, sx, sy, BilinearSampler.Padding.BORDER);
        if (!anyPerspective) {
            return sampled;
        }
        t.keep(sampled);
        NDArray qx = t.keep(ratio(coords, 3, 5, n, c, t));
        NDArray qy = t.keep(ratio(coords, 4, 5, n, c, t));
        NDArray mask = t.keep(t.keep(coverage(qx, c, t)).mul(t.keep(coverage(qy, c, t))));
        return sampled.mul(t.keep(mask.reshape(n, 1, c, c)));
    }

    /** @return coords[..., a] / coords[..., b] as N×c×c */
    private static NDArray ratio(NDArray coords, int a, int b, int n, int c, Temps t) {
        NDArray num = t.keep(coords.get(new NDIndex("..., {}", a)));
        NDArray den = t.keep(coords.get(new NDIndex("..., {}", b)));
        return t.keep(num.div(den)).reshape(n, c, c);
    }

    /** Weight a zeros-padded bilinear sample at q gives to in-image content: 1 inside, fading to 0 one pixel out. */
    private static NDArray coverage(NDArray q, int c, Temps t) {
        NDArray fromStart = t.keep(Tensors.add(q, 1));
        NDArray fromEnd = t.keep(Tensors.add(t.keep(q.neg()), c));
        // maximum/minimum rather than clip(Number, Number), which leaks two scalars per call in DJL 0.36
        return t.keep(Tensors.minimum(t.keep(Tensors.maximum(t.keep(fromStart.minimum(fromEnd)), 0)), 1));
    }

    private static NDArray recolour(NDArray batch, List<CutoutPlan.Cutout> cuts, int c, Temps t) {
        int n = cuts.size();
        double[] all = new double[n * 9];
        for (int i = 0; i < n; i++) {
            CutoutPlan.Cutout cut = cuts.get(i);
            double[] m = cut.recolours() ? colourMatrix(cut.hueTurns(), cut.saturation()) : Homography.identity();
            System.arraycopy(m, 0, all, i * 9, 9);
        }
        NDArray matrices = t.keep(constant(batch.getManager(), batch.getDevice(), batch.getDataType(), all,
                new Shape(n, 3, 3)));
        NDArray flat = t.keep(batch.reshape(n, 3, (long) c * c));
        return t.keep(matrices.matMul(flat)).reshape(n, 3, c, c);
    }

    /**
     * The RGB → RGB matrix that rotates hue by {@code hueTurns} of a turn and scales saturation by
     * {@code saturation}, in YIQ space. Package-private for tests.
     */
    static double[] colourMatrix(double hueTurns, double saturation) {
        double a = 2 * Math.PI * hueTurns;
        double cos = saturation * Math.cos(a);
        double sin = saturation * Math.sin(a);
        double[] chroma = {1, 0, 0, 0, cos, -sin, 0, sin, cos};
        return Homography.multiply(YIQ_TO_RGB, Homography.multiply(chroma, RGB_TO_YIQ));
    }

    private static NDArray addNoise(NDArray batch, List<CutoutPlan.Cutout> cuts, int seed, Temps t) {
        NDManager m = batch.getManager();
        int n = cuts.size();
        double[] std = new double[n];
        for (int i = 0; i < n; i++) {
            std[i] = cuts.get(i).noiseStd();
        }
        NDArray unit = t.keep(unitNoise(m, batch.getShape(), batch.getDataType(), batch.getDevice(), seed,
                batch.getDevice().isGpu()));
        NDArray scale = t.keep(constant(m, batch.getDevice(), batch.getDataType(), std, new Shape(n, 1, 1, 1)));
        return batch.add(t.keep(unit.mul(scale)));
    }

    /** Guards the engine's global generator between seeding it and drawing from it. */
    private static final Object ENGINE_GENERATOR = new Object();

    /**
     * Unit normal noise determined by {@code seed}.
     *
     * <p>On the host ({@code onDevice} false, what the CPU uses): a {@link SplittableRandom} seeded with the plan's
     * seed, so CPU runs give exactly the numbers they always gave. On the device ({@code onDevice} true, what a GPU
     * uses): the engine's generator, seeded with the plan's seed right before the draw and under a lock, so no
     * image-sized array crosses from the host each step (at 512×512 with 32 cutouts that is 19 MB per step). The two
     * sources give different numbers for the same seed; each is a pure function of the seed on its device. Nothing
     * else may draw from the engine's generator between the seeding and the draw, which holds while all engine work
     * runs on the engine thread.
     *
     * @return {@code shape} of {@code type} on {@code device}, owned by {@code m}
     */
    static NDArray unitNoise(NDManager m, Shape shape, DataType type, Device device, int seed, boolean onDevice) {
        if (onDevice) {
            NDArray drawn;
            synchronized (ENGINE_GENERATOR) {
                m.getEngine().setRandomSeed(seed);
                drawn = m.randomNormal(0f, 1f, shape, type);
            }
            return onto(drawn, device);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int size = Math.toIntExact(shape.size());
        NDArray host;
        if (type == DataType.FLOAT64) {
            double[] v = new double[size];
            for (int i = 0; i < size; i++) {
                v[i] = rng.nextGaussian();
            }
            host = Tensors.fromHost(m, v, shape);
        } else {
            float[] v = new float[size];
            for (int i = 0; i < size; i++) {
                v[i] = (float) rng.nextGaussian();
            }
            host = Tensors.fromHost(m, v, shape);
        }
        return onto(host, device);
    }

    /** @return {@code a} on {@code dev}, closing {@code a} when that needed a copy */
    private static NDArray onto(NDArray a, Device dev) {
        if (a.getDevice().equals(dev)) {
            return a;
        }
        NDArray moved = a.toDevice(dev, false);
        if (moved != a) {
            a.close();
        }
        return moved;
    }

    private static NDArray constant(NDManager m, Device dev, DataType dt, double[] data, Shape shape) {
        NDArray a;
        if (dt == DataType.FLOAT64) {
            a = Tensors.fromHost(m, data, shape);
        } else {
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) data[i];
            }
            a = Tensors.fromHost(m, f, shape);
        }
        return onto(a, dev);
    }

    private static Shape checkImage(NDArray image) {
        Shape s = image.getShape();
        if (s.dimension() != 4 || s.get(0) != 1 || s.get(1) != 3) {
            throw new IllegalArgumentException("image must be 1×3×H×W, got " + s);
        }
        DataType dt = image.getDataType();
        if (dt != DataType.FLOAT32 && dt != DataType.FLOAT64) {
            throw new IllegalArgumentException("image must be float32 or float64, got " + dt);
        }
        return s;
    }

    /** Intermediate arrays of one call, closed at the end except the one handed back. */
    private static final class Temps implements AutoCloseable {
        private final List<NDArray> arrays = new ArrayList<>();
        private NDArray released;

        NDArray keep(NDArray a) {
            arrays.add(a);
            return a;
        }

        void release(NDArray a) {
            released = a;
        }

        @Override
        public void close() {
            for (NDArray a : arrays) {
                if (a != released) {
                    a.close();
                }
            }
        }
    }
}
