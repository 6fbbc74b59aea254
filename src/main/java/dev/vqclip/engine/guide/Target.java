package dev.vqclip.engine.guide;

import ai.djl.ndarray.NDArray;

/**
 * A guidance target: a CLIP embedding (1 × D, L2-normalised) that cutouts are pulled towards (positive weight) or
 * pushed from (negative weight), with a stop distance. The embedding belongs to the run's manager.
 *
 * @param label what the user wrote (text) or the image file name
 * @param embedding normalised embedding, shape (1, D)
 * @param weight loss weight, negative pushes away
 * @param stop the prompt stops acting once its (signed) distance is below this; -∞ never stops
 * @param span the steps it acts in
 */
public record Target(String label, NDArray embedding, double weight, double stop, PromptSpan span) {
    public Target(String label, NDArray embedding, double weight, double stop) {
        this(label, embedding, weight, stop, PromptSpan.ALWAYS);
    }

    /**
     * @param taken steps taken before the step being computed
     * @return this target as that step uses it: the weight times the span's factor (0 outside the span)
     */
    public Target at(int taken) {
        double f = span.factor(taken);
        return f == 1 ? this : new Target(label, embedding, f == 0 ? 0.0 : weight * f, stop, span);
    }
}
