package dev.vqclip.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.augment.CutoutAugmenter;
import dev.vqclip.engine.augment.CutoutPlan;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.ClipConfig;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.nn.ThreadAutograd;

import dev.vqclip.models.DemoModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains a small OpenAI-architecture CLIP (ViT image tower, causal text transformer) contrastively on
 * {@link ShapesWorld} scenes and their full captions: symmetric cross-entropy over the image–caption similarities
 * scaled by a learned {@code exp(logit_scale)} (capped at 100 as in CLIP), Adam with CLIP's betas (0.9, 0.98) and
 * eps 1e-6. Captions that are identical within a batch count as positives of each other (soft targets), so
 * duplicates are not pushed apart. Half of every batch are hard negatives: each sampled scene is followed by a
 * sibling that differs in one attribute (shape colour, background, shape, or the colours swapped).
 *
 * <p>Deterministic for a seed on one machine. Stateless; {@link #train} owns every array it makes.
 */
final class ClipTrainer {
    static final float MAX_LOGIT_SCALE_LOG = (float) Math.log(100);

    /**
     * @param steps optimiser steps
     * @param batch image–caption pairs per step
     * @param lr peak learning rate (warm-up, then cosine decay to a tenth)
     * @param noise standard deviation of Gaussian pixel noise added to some training images (robustness to the
     *     generator's imperfect pictures), in [0, 1] pixel units
     * @param views fraction of the pairs whose image is a generation-style view instead of the whole clean scene: a
     *     random cutout of the scene rendered at {@link #VIEW_SCENE_SIZE} px, with the augmentations a run applies
     *     ({@link CutoutAugmenter} with {@link Augmentations#defaults()}), captioned without size and position
     *     (a cutout changes both)
     * @param negatives extra images per step that match no caption (colour mosaics): they only compete in the
     *     text-to-image direction, so no caption is drawn towards blotchy pictures of its colours
     * @param spoiled extra caption-less images per step that are scenes of the batch with blotches of a foreign colour
     *     painted over them ({@link #spoil}), a generation-style view for the same fraction as {@code views}: each
     *     scene's caption must prefer the clean picture, so a guide cannot be satisfied by an image whose background
     *     is half another colour
     * @param fillCorners whether a view's warp corners (where the run's perspective pads with black) show the scene's
     *     background colour instead, so that black that is not in the caption costs the guide everywhere
     */
    record Settings(int steps, int batch, double lr, double noise, double views, int negatives, int spoiled,
                    boolean fillCorners) {
        Settings {
            if (steps < 1 || batch < 2 || !(lr > 0) || noise < 0 || !(views >= 0 && views <= 1) || negatives < 0
                    || spoiled < 0) {
                throw new IllegalArgumentException("bad CLIP training settings: " + steps + " steps, batch " + batch
                        + ", lr " + lr + ", noise " + noise + ", views " + views + ", negatives " + negatives
                        + ", spoiled " + spoiled);
            }
        }
    }

    /** Side at which scenes are rendered before a generation-style cutout is taken (the demo output size). */
    static final int VIEW_SCENE_SIZE = DemoModels.DEFAULT_SIZE;
    /** A view must show at least this fraction of the shape's bounding box. */
    static final double VIEW_MIN_VISIBLE = 0.6;

    /**
     * @param weights trained tensors by OpenAI name
     * @param shapes their shapes
     * @param loss mean contrastive loss over the last 10% of steps
     * @param logitScale the final {@code exp(logit_scale)}
     */
    record Result(Map<String, float[]> weights, Map<String, long[]> shapes, double loss, double logitScale) {
    }

    private ClipTrainer() {
    }

    /**
     * @return a scene that differs from {@code s} in one way: the shape's colour, the background colour, the shape,
     *     or the two colours swapped (the distractors {@link CaptionRanking} measures with)
     */
    static ShapesWorld.Scene sibling(ShapesWorld.Scene s, SplittableRandom rng) {
        ShapesWorld.Colour[] colours = ShapesWorld.Colour.values();
        // shapes are the hardest attribute for the small image tower (small shapes are 19 px): half the siblings
        // change the shape, a sixth each change a colour, the background, or swap the two
        int kind = rng.nextInt(6);
        switch (kind < 3 ? 2 : kind == 5 ? 3 : kind - 3) {
            case 0 -> {
                ShapesWorld.Colour c;
                do {
                    c = colours[rng.nextInt(colours.length)];
                } while (c == s.colour() || c == s.background());
                return new ShapesWorld.Scene(s.shape(), c, s.background(), s.size(), s.position());
            }
            case 1 -> {
                ShapesWorld.Colour c;
                do {
                    c = colours[rng.nextInt(colours.length)];
                } while (c == s.colour() || c == s.background());
                return new ShapesWorld.Scene(s.shape(), s.colour(), c, s.size(), s.position());
            }
            case 2 -> {
                ShapesWorld.Shape[] shapes = ShapesWorld.Shape.values();
                ShapesWorld.Shape sh;
                do {
                    sh = shapes[rng.nextInt(shapes.length)];
                } while (sh == s.shape());
                return new ShapesWorld.Scene(sh, s.colour(), s.background(), s.size(), s.position());
            }
            default -> {
                return new ShapesWorld.Scene(s.shape(), s.background(), s.colour(), s.size(), s.position());
            }
        }
    }

    /** Image side of the demo CLIP. */
    static final int RESOLUTION = 64;
    /** Patch side of the image tower. */
    static final int PATCH = 8;
    /** Width of the image tower (one head per {@link ClipConfig#HEAD_WIDTH} channels, as in OpenAI's models). */
    static final int VISION_WIDTH = 128;
    static final int VISION_LAYERS = 4;
    static final int TEXT_WIDTH = 128;
    static final int TEXT_LAYERS = 2;
    static final int EMBED = 64;

    /** The demo sizes (the constants above); heads are the width over {@link ClipConfig#HEAD_WIDTH}. */
    static ClipConfig config(int vocabSize, int contextLength) {
        return new ClipConfig(EMBED, RESOLUTION, VISION_LAYERS, VISION_WIDTH, VISION_WIDTH / ClipConfig.HEAD_WIDTH,
                PATCH, contextLength, vocabSize, TEXT_WIDTH, TEXT_WIDTH / ClipConfig.HEAD_WIDTH, TEXT_LAYERS);
    }

    /** @return the architecture in words, for train.json */
    static String describe(ClipConfig c) {
        return String.format(Locale.ROOT, "OpenAI CLIP ViT: %d px, patch %d, width %d, %d head(s), %d layers; text "
                        + "width %d, %d head(s), %d layers, context %d; embed %d", c.imageResolution(),
                c.visionPatchSize(), c.visionWidth(), c.visionHeads(), c.visionLayers(), c.textWidth(), c.textHeads(),
                c.textLayers(), c.contextLength(), c.embedDim());
    }

    /** @return the caption without size and position: what a cutout of the scene still shows */
    static String shortCaption(ShapesWorld.Scene s) {
        return new ShapesWorld.Scene(s.shape(), s.colour(), s.background(), ShapesWorld.Size.MEDIUM,
                ShapesWorld.Position.CENTRE).caption();
    }

    /**
     * @return a generation-style view of the scene as planar RGB in [0, 1] (before clamping): the scene rendered at
     *     {@link #VIEW_SCENE_SIZE} px, one random cutout that shows at least {@link #VIEW_MIN_VISIBLE} of the shape's
     *     bounding box (the largest cutout after 20 tries), with the run's augmentations
     */
    static float[] view(ShapesWorld.Scene scene, CutoutAugmenter viewer, SplittableRandom rng, NDManager m,
                        boolean fillCorners) {
        return view(scene, scene.render(VIEW_SCENE_SIZE).toPlanarRgb(), viewer, rng, m, fillCorners);
    }

    /**
     * @return as {@link #view(ShapesWorld.Scene, CutoutAugmenter, SplittableRandom, NDManager, boolean)}, of given
     *     pixels
     */
    static float[] view(ShapesWorld.Scene scene, float[] rendered, CutoutAugmenter viewer, SplittableRandom rng,
                        NDManager m, boolean fillCorners) {
        int big = VIEW_SCENE_SIZE;
        double half = big * scene.size().fraction / 2;
        double cx = big * scene.position().x;
        double cy = big * scene.position().y;
        CutoutPlan plan = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            CutoutPlan p = viewer.plan(big, big, rng);
            CutoutPlan.Cutout c = p.cutouts().get(0);
            double w = Math.max(0, Math.min(cx + half, c.offsetX() + c.size()) - Math.max(cx - half, c.offsetX()));
            double h = Math.max(0, Math.min(cy + half, c.offsetY() + c.size()) - Math.max(cy - half, c.offsetY()));
            if (w * h >= VIEW_MIN_VISIBLE * 4 * half * half) {
                plan = p;
                break;
            }
        }
        if (plan == null) {
            CutoutPlan p = viewer.plan(big, big, rng);
            CutoutPlan.Cutout c = p.cutouts().get(0);
            plan = new CutoutPlan(big, big, p.cutSize(), List.of(new CutoutPlan.Cutout(big, 0, 0, c.flip(),
                    c.degrees(), c.translateX(), c.translateY(), c.perspective(), c.hueTurns(), c.saturation(),
                    c.noiseStd())), p.noiseSeed());
        }
        try (NDManager sm = m.newSubManager()) {
            NDArray img = sm.create(rendered, new Shape(1, 3, big, big));
            return applyFilled(img, plan, fillCorners ? scene.background() : null).toFloatArray();
        }
    }

    /**
     * Executes a one-cutout plan as {@link CutoutAugmenter#apply} does, except that where the perspective pads with
     * black the result shows {@code fill} (before the colour jitter and noise, like the picture itself). Cropping,
     * resizing and the border-padded warp are linear and keep a constant image constant, so warping {@code image −
     * fill} and adding {@code fill} back changes only the padded corners.
     *
     * @param image 1×3×H×W
     * @param fill the corners' colour; null for the run's black
     */
    static NDArray applyFilled(NDArray image, CutoutPlan plan, ShapesWorld.Colour fill) {
        if (fill == null) {
            return CutoutAugmenter.apply(image, plan);
        }
        if (plan.cutouts().size() != 1) {
            throw new IllegalArgumentException("one cutout per view, got " + plan.cutouts().size());
        }
        CutoutPlan.Cutout c = plan.cutouts().get(0);
        int side = plan.cutSize();
        NDManager m = image.getManager();
        NDArray colour = m.create(new float[] {fill.r / 255f, fill.g / 255f, fill.b / 255f}, new Shape(1, 3, 1, 1));
        CutoutPlan geometry = new CutoutPlan(plan.imageHeight(), plan.imageWidth(), side,
                List.of(new CutoutPlan.Cutout(c.size(), c.offsetX(), c.offsetY(), c.flip(), c.degrees(),
                        c.translateX(), c.translateY(), c.perspective(), 0, 1, 0)), plan.noiseSeed());
        NDArray shifted = image.sub(colour);
        NDArray warped = CutoutAugmenter.apply(shifted, geometry);
        NDArray filled = warped.add(colour);
        CutoutPlan looks = new CutoutPlan(side, side, side, List.of(new CutoutPlan.Cutout(side, 0, 0, false, 0, 0, 0,
                null, c.hueTurns(), c.saturation(), c.noiseStd())), plan.noiseSeed());
        NDArray out = CutoutAugmenter.apply(filled, looks);
        colour.close();
        shifted.close();
        warped.close();
        filled.close();
        return out;
    }

    /**
     * @return a caption-less negative as planar RGB in [0, 1]: a grid of 2 to 8 cells per side, each one of two or
     *     three random named colours, resized smoothly to {@code side} (blotches like a failed generation's)
     */
    static float[] mosaic(int side, SplittableRandom rng) {
        int[] grids = {2, 3, 4, 6, 8};
        int g = grids[rng.nextInt(grids.length)];
        ShapesWorld.Colour[] all = ShapesWorld.Colour.values();
        ShapesWorld.Colour[] pick = new ShapesWorld.Colour[2 + rng.nextInt(2)];
        for (int i = 0; i < pick.length; i++) {
            pick[i] = all[rng.nextInt(all.length)];
        }
        ShapesWorld.Colour[] cells = new ShapesWorld.Colour[g * g];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = pick[rng.nextInt(pick.length)];
        }
        double[][] channels = new double[3][g * g];
        for (int i = 0; i < cells.length; i++) {
            channels[0][i] = cells[i].r;
            channels[1][i] = cells[i].g;
            channels[2][i] = cells[i].b;
        }
        float[] out = new float[3 * side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    out[ch * side * side + y * side + x] = (float) (bilinear(channels[ch], g, side, x, y) / 255);
                }
            }
        }
        return out;
    }

    /** @return the value at pixel (x, y) of a g × g grid of cell values resized to side × side, bilinear between cell
     *     centres (clamped at the edges) */
    static double bilinear(double[] cells, int g, int side, int x, int y) {
        double gx = Math.max(0, Math.min(g - 1, (x + 0.5) * g / side - 0.5));
        double gy = Math.max(0, Math.min(g - 1, (y + 0.5) * g / side - 0.5));
        int x0 = (int) gx;
        int y0 = (int) gy;
        int x1 = Math.min(g - 1, x0 + 1);
        int y1 = Math.min(g - 1, y0 + 1);
        double fx = gx - x0;
        double fy = gy - y0;
        return (cells[y0 * g + x0] * (1 - fx) + cells[y0 * g + x1] * fx) * (1 - fy)
                + (cells[y1 * g + x0] * (1 - fx) + cells[y1 * g + x1] * fx) * fy;
    }

    /**
     * @return the scene rendered at {@code side} px as planar RGB in [0, 1], with smooth blotches of one foreign
     *     colour (a random named colour that is neither of the scene's) over part of it, blended in through a
     *     bilinearly resized grid of 2 to 4 cells per side, at least one cell on and one off
     */
    static float[] spoil(ShapesWorld.Scene scene, int side, SplittableRandom rng) {
        float[] p = scene.render(side).toPlanarRgb();
        ShapesWorld.Colour[] all = ShapesWorld.Colour.values();
        ShapesWorld.Colour blot;
        do {
            blot = all[rng.nextInt(all.length)];
        } while (blot == scene.background() || blot == scene.colour());
        int g = 2 + rng.nextInt(3);
        double[] cells = new double[g * g];
        boolean on = false;
        boolean off = false;
        while (!(on && off)) {
            on = false;
            off = false;
            for (int i = 0; i < cells.length; i++) {
                cells[i] = rng.nextDouble() < 0.4 ? 1 : 0;
                on |= cells[i] > 0;
                off |= cells[i] == 0;
            }
        }
        double[] rgb = {blot.r / 255.0, blot.g / 255.0, blot.b / 255.0};
        int area = side * side;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double a = bilinear(cells, g, side, x, y);
                for (int ch = 0; ch < 3; ch++) {
                    int k = ch * area + y * side + x;
                    p[k] = (float) (p[k] * (1 - a) + rgb[ch] * a);
                }
            }
        }
        return p;
    }

    static Result train(ClipConfig cfg, ClipTokenizer tokenizer, Settings s, long seed, Device device,
                        Consumer<String> log) {
        SplittableRandom data = new SplittableRandom(seed);
        int side = cfg.imageResolution();
        int tail = Math.max(1, s.steps() / 10);
        double lossSum = 0;
        try (NDManager master = NDManager.newBaseManager(device)) {
            Map<String, NDArray> weights = ParameterAdam.initialWeights(Clip.randomWeights(cfg, device, seed),
                    Clip::parameters, master);
            ParameterAdam adam = new ParameterAdam(weights, master, 0.9, 0.98, 1e-6);
            CutoutAugmenter viewer = new CutoutAugmenter(side, 1, 1.0, Augmentations.defaults());
            int n = s.batch();
            int total = n + s.negatives() + s.spoiled();
            StepTimer timer = new StepTimer();
            for (int step = 0; step < s.steps(); step++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.util.concurrent.CancellationException("CLIP training cancelled at step "
                            + (step + 1));
                }
                try (NDManager sm = master.newSubManager()) {
                    List<ShapesWorld.Scene> scenes = new ArrayList<>();
                    List<String> captions = new ArrayList<>();
                    float[] pixels = new float[total * 3 * side * side];
                    int plane = 3 * side * side;
                    for (int i = 0; i < n; i++) {
                        // every odd item is a hard negative of the one before: one attribute changed
                        ShapesWorld.Scene scene = i % 2 == 0 ? ShapesWorld.sample(data)
                                : sibling(scenes.get(i - 1), data);
                        scenes.add(scene);
                        float[] p;
                        // no draw without views: the default settings keep the data stream of earlier runs
                        if (s.views() > 0 && data.nextDouble() < s.views()) {
                            p = view(scene, viewer, data, sm, s.fillCorners());
                            captions.add(shortCaption(scene));
                        } else {
                            p = scene.render(side).toPlanarRgb();
                            captions.add(scene.caption());
                        }
                        double sigma = data.nextDouble() < 0.5 ? data.nextDouble() * s.noise() : 0;
                        for (int j = 0; j < p.length; j++) {
                            float v = p[j];
                            if (sigma > 0) {
                                v = (float) (v + data.nextGaussian() * sigma);
                            }
                            pixels[i * plane + j] = Math.min(1f, Math.max(0f, v));
                        }
                    }
                    for (int i = n; i < total; i++) {
                        System.arraycopy(mosaic(side, data), 0, pixels, i * plane, plane);
                    }
                    for (int k = 0; k < s.spoiled(); k++) {
                        // a sampled scene of this batch (its sibling follows it), so its caption sees both
                        ShapesWorld.Scene sc = scenes.get(2 * (k % (n / 2)));
                        boolean asView = s.views() > 0 && data.nextDouble() < s.views();
                        float[] p = spoil(sc, asView ? VIEW_SCENE_SIZE : side, data);
                        if (asView) {
                            p = view(sc, p, viewer, data, sm, s.fillCorners());
                        }
                        for (int j = 0; j < plane; j++) {
                            pixels[(n + s.negatives() + k) * plane + j] = Math.min(1f, Math.max(0f, p[j]));
                        }
                    }
                    long[][] tokens = new long[n][];
                    float[] targets = new float[n * n];
                    float[] targetsWide = new float[n * total];
                    for (int i = 0; i < n; i++) {
                        tokens[i] = tokenizer.tokenize(captions.get(i), cfg.contextLength(), true);
                        int count = 0;
                        for (int j = 0; j < n; j++) {
                            if (captions.get(j).equals(captions.get(i))) {
                                count++;
                            }
                        }
                        for (int j = 0; j < n; j++) {
                            if (captions.get(j).equals(captions.get(i))) {
                                targets[i * n + j] = 1f / count;
                                targetsWide[i * total + j] = 1f / count;
                            }
                        }
                    }
                    NDArray x = sm.create(pixels, new Shape(total, 3, side, side));
                    NDArray t = sm.create(targets, new Shape(n, n));
                    NDArray tw = sm.create(targetsWide, new Shape(n, total));
                    Map<String, NDArray> leaves = adam.leaves(sm);
                    float loss;
                    try (ThreadAutograd gc = ThreadAutograd.open()) {
                        Clip clip = Clip.fromParameters(cfg, leaves);
                        NDArray img = clip.encodeImage(clip.normalize(x)).normalize(2, -1, 1e-12);
                        NDArray txt = clip.encodeText(sm, tokens).normalize(2, -1, 1e-12);
                        NDArray scale = leaves.get("logit_scale").exp();
                        // (total, n): the captioned images first, then the caption-less negatives
                        NDArray logits = img.matMul(txt.transpose()).mul(scale);
                        NDArray captioned = total == n ? logits
                                : logits.get(new ai.djl.ndarray.index.NDIndex("0:" + n));
                        // t is symmetric: identical captions are positives both ways
                        NDArray li = Tensors.div(captioned.logSoftmax(1).mul(t).sum().neg(), n);
                        NDArray lt = Tensors.div(logits.transpose().logSoftmax(1).mul(tw).sum().neg(), n);
                        NDArray totalLoss = Tensors.div(li.add(lt), 2);
                        gc.backward(totalLoss);
                        loss = totalLoss.getFloat();
                        clip.close();
                    }
                    adam.step(leaves, VqganTrainer.learningRate(s.steps(), s.lr(), step), 1.0, sm);
                    NDArray ls = weights.get("logit_scale");
                    if (ls.getFloat() > MAX_LOGIT_SCALE_LOG) {
                        ls.set(new float[] {MAX_LOGIT_SCALE_LOG});
                    }
                    if (step >= s.steps() - tail) {
                        lossSum += loss;
                    }
                    if (step % 20 == 0 || step == s.steps() - 1) {
                        log.accept(String.format(Locale.ROOT, "clip step %d/%d: contrastive loss %.4f, scale %.1f (%s)",
                                step + 1, s.steps(), loss, Math.exp(ls.getFloat()),
                                timer.progress(step + 1, s.steps())));
                    }
                }
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                out.put(e.getKey(), e.getValue().toFloatArray());
                shapes.put(e.getKey(), e.getValue().getShape().getShape());
            }
            return new Result(out, shapes, lossSum / tail, Math.exp(out.get("logit_scale")[0]));
        }
    }
}
