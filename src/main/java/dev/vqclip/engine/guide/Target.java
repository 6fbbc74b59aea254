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
 */
public record Target(String label, NDArray embedding, double weight, double stop) {
}
