package dev.vqclip.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures whether a CLIP model understands {@link ShapesWorld}: for held-out scenes, does the true caption score
 * higher than every distractor that differs in the shape's colour, the shape, the background colour, or has the
 * two colours swapped? Stateless; arrays live in a manager opened and closed per call.
 */
public final class CaptionRanking {
    private CaptionRanking() {
    }

    /**
     * @param correct scenes whose true caption ranked first
     * @param total scenes tried
     * @param distractors captions per scene besides the true one (the same for every scene)
     */
    public record Result(int correct, int total, int distractors) {
        /** @return correct / total */
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }
    }

    /** @return the true caption's distractors: other colour, other shape, other background, swapped colours */
    public static List<String> distractors(ShapesWorld.Scene s) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (ShapesWorld.Colour c : ShapesWorld.Colour.values()) {
            if (c != s.colour() && c != s.background()) {
                out.add(new ShapesWorld.Scene(s.shape(), c, s.background(), s.size(), s.position()).caption());
                out.add(new ShapesWorld.Scene(s.shape(), s.colour(), c, s.size(), s.position()).caption());
            }
        }
        for (ShapesWorld.Shape sh : ShapesWorld.Shape.values()) {
            if (sh != s.shape()) {
                out.add(new ShapesWorld.Scene(sh, s.colour(), s.background(), s.size(), s.position()).caption());
            }
        }
        out.add(new ShapesWorld.Scene(s.shape(), s.background(), s.colour(), s.size(), s.position()).caption());
        out.remove(s.caption());
        return new ArrayList<>(out);
    }

    /**
     * Ranks captions for {@code n} scenes drawn from {@code seed} (use a seed the model was not trained on).
     */
    public static Result evaluate(Clip clip, ClipTokenizer tokenizer, long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        int side = clip.imageResolution();
        int correct = 0;
        int distractors = 0;
        try (NDManager m = NDManager.newBaseManager(clip.device())) {
            for (int i = 0; i < n; i++) {
                ShapesWorld.Scene scene = ShapesWorld.sample(rng);
                List<String> captions = new ArrayList<>();
                captions.add(scene.caption());
                List<String> others = distractors(scene);
                distractors = others.size();
                captions.addAll(others);
                try (NDManager sm = m.newSubManager()) {
                    float[] px = scene.render(side).toPlanarRgb();
                    NDArray img = clip.encodeImage(clip.normalize(sm.create(px, new Shape(1, 3, side, side))));
                    long[][] tokens = new long[captions.size()][];
                    for (int j = 0; j < tokens.length; j++) {
                        tokens[j] = tokenizer.tokenize(captions.get(j), clip.contextLength(), true);
                    }
                    NDArray txt = clip.encodeText(sm, tokens);
                    float[] scores = clip.logitsPerImage(img, txt).toFloatArray();
                    boolean best = true;
                    for (int j = 1; j < scores.length; j++) {
                        if (scores[j] >= scores[0]) {
                            best = false;
                            break;
                        }
                    }
                    correct += best ? 1 : 0;
                }
            }
        }
        return new Result(correct, n, distractors);
    }
}
