package dev.vqclip.models.demo;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.ClipConfig;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;

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
     */
    record Settings(int steps, int batch, double lr, double noise) {
        Settings {
            if (steps < 1 || batch < 2 || !(lr > 0) || noise < 0) {
                throw new IllegalArgumentException("bad CLIP training settings: " + steps + " steps, batch " + batch
                        + ", lr " + lr + ", noise " + noise);
            }
        }
    }

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

    /** The demo sizes: 64 px images in 8 px patches, width 64 (one head), two layers per tower, embedding 64. */
    static ClipConfig config(int vocabSize, int contextLength) {
        return new ClipConfig(64, 64, 2, 64, 1, 8, contextLength, vocabSize, 64, 1, 2);
    }

    static Result train(ClipConfig cfg, ClipTokenizer tokenizer, Settings s, long seed, Device device,
                        Consumer<String> log) {
        SplittableRandom data = new SplittableRandom(seed);
        int side = cfg.imageResolution();
        int tail = Math.max(1, s.steps() / 10);
        double lossSum = 0;
        try (NDManager master = NDManager.newBaseManager(device)) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            try (Clip init = Clip.randomWeights(cfg, device, seed)) {
                for (Map.Entry<String, NDArray> e : init.parameters().entrySet()) {
                    NDArray copy = e.getValue().duplicate();
                    copy.attach(master);
                    weights.put(e.getKey(), copy);
                }
            }
            ParameterAdam adam = new ParameterAdam(weights, master, 0.9, 0.98, 1e-6);
            for (int step = 0; step < s.steps(); step++) {
                List<ShapesWorld.Scene> scenes = new ArrayList<>();
                float[] pixels = new float[s.batch() * 3 * side * side];
                for (int i = 0; i < s.batch(); i++) {
                    // every odd item is a hard negative of the one before: one attribute changed
                    ShapesWorld.Scene scene = i % 2 == 0 ? ShapesWorld.sample(data) : sibling(scenes.get(i - 1), data);
                    scenes.add(scene);
                    float[] p = scene.render(side).toPlanarRgb();
                    double sigma = data.nextDouble() < 0.5 ? data.nextDouble() * s.noise() : 0;
                    for (int j = 0; j < p.length; j++) {
                        float v = p[j];
                        if (sigma > 0) {
                            v = (float) Math.min(1, Math.max(0, v + data.nextGaussian() * sigma));
                        }
                        pixels[i * p.length + j] = v;
                    }
                }
                long[][] tokens = new long[s.batch()][];
                float[] targets = new float[s.batch() * s.batch()];
                for (int i = 0; i < s.batch(); i++) {
                    tokens[i] = tokenizer.tokenize(scenes.get(i).caption(), cfg.contextLength(), true);
                    int count = 0;
                    for (int j = 0; j < s.batch(); j++) {
                        if (scenes.get(j).caption().equals(scenes.get(i).caption())) {
                            count++;
                        }
                    }
                    for (int j = 0; j < s.batch(); j++) {
                        if (scenes.get(j).caption().equals(scenes.get(i).caption())) {
                            targets[i * s.batch() + j] = 1f / count;
                        }
                    }
                }
                try (NDManager sm = master.newSubManager()) {
                    NDArray x = sm.create(pixels, new Shape(s.batch(), 3, side, side));
                    NDArray t = sm.create(targets, new Shape(s.batch(), s.batch()));
                    Map<String, NDArray> leaves = adam.leaves(sm);
                    float loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        Clip clip = Clip.fromParameters(cfg, leaves);
                        NDArray img = clip.encodeImage(clip.normalize(x)).normalize(2, -1, 1e-12);
                        NDArray txt = clip.encodeText(sm, tokens).normalize(2, -1, 1e-12);
                        NDArray scale = leaves.get("logit_scale").exp();
                        NDArray logits = img.matMul(txt.transpose()).mul(scale);
                        // t is symmetric: identical captions are positives both ways
                        NDArray li = logits.logSoftmax(1).mul(t).sum().neg().div(s.batch());
                        NDArray lt = logits.transpose().logSoftmax(1).mul(t).sum().neg().div(s.batch());
                        NDArray total = li.add(lt).div(2);
                        gc.backward(total);
                        loss = total.getFloat();
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
                        log.accept(String.format(Locale.ROOT, "clip step %d/%d: contrastive loss %.4f, scale %.1f",
                                step + 1, s.steps(), loss, Math.exp(ls.getFloat())));
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
