/**
 * Random cutouts of the decoded image and their differentiable augmentations, drawn from seeded generators.
 *
 * <p>{@link dev.vqclip.engine.augment.CutoutAugmenter} turns a 1×3×H×W image into N augmented cutouts for CLIP;
 * {@link dev.vqclip.engine.augment.CutoutPlan} is the record of every random choice of one call;
 * {@link dev.vqclip.engine.augment.BilinearSampler} is the batched bilinear resampler (DJL has no grid-sample op);
 * {@link dev.vqclip.engine.augment.Augmentations} switches the augmentations. See {@code docs/augmentations.md}.
 */
package dev.vqclip.engine.augment;
