package dev.vqclip.engine.run;

import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything one generation or edit needs, as one immutable value: the engine reads nothing else, so a saved request
 * reproduces a run.
 *
 * @param prompts text prompts (may be empty only when there are image prompts)
 * @param imagePrompts images whose CLIP embeddings are targets, each with a weight
 * @param width output width in pixels (rounded down to the VQGAN factor), 1..8192
 * @param height output height in pixels (rounded down to the VQGAN factor), 1..8192
 * @param steps how many optimisation steps the run is meant to take, ≥ 0
 * @param seed the seed; the randomness of step k is a function of (seed, k)
 * @param cutouts cutouts per step, 1..1024
 * @param cutPow exponent of the cutout size distribution (1 = uniform), finite and &gt; 0
 * @param learningRate Adam's step size, finite and &gt; 0
 * @param beta1 Adam's first moment decay, in [0, 1)
 * @param beta2 Adam's second moment decay, in [0, 1)
 * @param l2Weight initial weight α of the regulariser α·mean(z²), finite and ≥ 0
 * @param l2Decay per-step decay of α (α_k = α·(1 − decay)^k), in [0, 1]
 * @param augmentations augmentation switches (noise factor finite and ≥ 0)
 * @param init how z starts
 * @param initImage the image to start from (required for {@link Init#IMAGE})
 * @param keepUnmaskedPixels composite the original back outside the mask in output frames
 */
public record GenerationRequest(List<Prompt> prompts, List<ImagePrompt> imagePrompts, int width, int height, int steps,
                                long seed, int cutouts, double cutPow, double learningRate, double beta1, double beta2,
                                double l2Weight, double l2Decay, Augmentations augmentations, Init init, Path initImage,
                                boolean keepUnmaskedPixels) {
    /** How z is initialised. */
    public enum Init {
        /** random codebook entries (one-hot rows of the codebook), as common implementations do */
        RANDOM_CODES,
        /** Gaussian noise scaled to the codebook's spread */
        NOISE,
        /** the VQGAN encoding of {@code initImage} (editing) */
        IMAGE
    }

    /** An image prompt. */
    public record ImagePrompt(Path image, double weight) {
    }

    public GenerationRequest {
        prompts = List.copyOf(prompts);
        imagePrompts = List.copyOf(imagePrompts);
        Objects.requireNonNull(augmentations, "augmentations");
        Objects.requireNonNull(init, "init");
        if (prompts.isEmpty() && imagePrompts.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one text or image prompt");
        }
        if (width <= 0 || height <= 0 || width > 8192 || height > 8192) {
            throw new IllegalArgumentException("impossible size " + width + "x" + height + " (1..8192 per side)");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be ≥ 0, got " + steps);
        }
        if (cutouts < 1 || cutouts > 1024) {
            throw new IllegalArgumentException("cutouts must be 1..1024, got " + cutouts);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (!(cutPow > 0) || !Double.isFinite(cutPow)) {
            throw new IllegalArgumentException("cutPow must be a finite number > 0, got " + cutPow);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(l2Weight >= 0) || !Double.isFinite(l2Weight)) {
            throw new IllegalArgumentException("l2Weight must be a finite number ≥ 0, got " + l2Weight);
        }
        if (!(l2Decay >= 0 && l2Decay <= 1)) {
            throw new IllegalArgumentException("l2Decay must be in [0, 1], got " + l2Decay);
        }
        double noise = augmentations.noiseFactor();
        if (!(noise >= 0) || !Double.isFinite(noise)) {
            throw new IllegalArgumentException("noiseFactor must be a finite number ≥ 0, got " + noise);
        }
        for (ImagePrompt p : imagePrompts) {
            if (!Double.isFinite(p.weight())) {
                throw new IllegalArgumentException("image prompt " + p.image() + ": weight must be a finite number, got "
                        + p.weight());
            }
        }
        if (init == Init.IMAGE && initImage == null) {
            throw new IllegalArgumentException("editing needs an init image");
        }
    }

    /** @return a request with the paper's defaults for the given prompts */
    public static GenerationRequest defaults(List<Prompt> prompts) {
        return new GenerationRequest(prompts, List.of(), 256, 256, 400, 0L, 32, 1.0, 0.15, 0.9, 0.999, 0.1, 0.005,
                Augmentations.defaults(), Init.RANDOM_CODES, null, false);
    }

    public GenerationRequest withPrompts(List<Prompt> p) {
        return new GenerationRequest(p, imagePrompts, width, height, steps, seed, cutouts, cutPow, learningRate, beta1,
                beta2, l2Weight, l2Decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withSize(int w, int h) {
        return new GenerationRequest(prompts, imagePrompts, w, h, steps, seed, cutouts, cutPow, learningRate, beta1,
                beta2, l2Weight, l2Decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withSteps(int s) {
        return new GenerationRequest(prompts, imagePrompts, width, height, s, seed, cutouts, cutPow, learningRate, beta1,
                beta2, l2Weight, l2Decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withSeed(long s) {
        return new GenerationRequest(prompts, imagePrompts, width, height, steps, s, cutouts, cutPow, learningRate, beta1,
                beta2, l2Weight, l2Decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withCutouts(int c) {
        return new GenerationRequest(prompts, imagePrompts, width, height, steps, seed, c, cutPow, learningRate, beta1,
                beta2, l2Weight, l2Decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withLearningRate(double lr) {
        return new GenerationRequest(prompts, imagePrompts, width, height, steps, seed, cutouts, cutPow, lr, beta1,
                beta2, l2Weight, l2Decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withAugmentations(Augmentations a) {
        return new GenerationRequest(prompts, imagePrompts, width, height, steps, seed, cutouts, cutPow, learningRate,
                beta1, beta2, l2Weight, l2Decay, a, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withRegularisation(double weight, double decay) {
        return new GenerationRequest(prompts, imagePrompts, width, height, steps, seed, cutouts, cutPow, learningRate,
                beta1, beta2, weight, decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withInitImage(Path image) {
        return new GenerationRequest(prompts, imagePrompts, width, height, steps, seed, cutouts, cutPow, learningRate,
                beta1, beta2, l2Weight, l2Decay, augmentations, image == null ? Init.RANDOM_CODES : Init.IMAGE, image,
                keepUnmaskedPixels);
    }

    public GenerationRequest withImagePrompts(List<ImagePrompt> ip) {
        return new GenerationRequest(prompts, ip, width, height, steps, seed, cutouts, cutPow, learningRate,
                beta1, beta2, l2Weight, l2Decay, augmentations, init, initImage, keepUnmaskedPixels);
    }

    public GenerationRequest withKeepUnmaskedPixels(boolean keep) {
        return new GenerationRequest(prompts, imagePrompts, width, height, steps, seed, cutouts, cutPow, learningRate,
                beta1, beta2, l2Weight, l2Decay, augmentations, init, initImage, keep);
    }
}
