/**
 * OpenAI CLIP (ViT variants) computed with DJL ops from weights we read ourselves: {@link dev.vqclip.engine.clip.Clip}
 * is the facade (image and text encoders, pixel normalisation), {@link dev.vqclip.engine.clip.ClipConfig} the sizes
 * inferred from a file like OpenAI's {@code build_model}, {@link dev.vqclip.engine.clip.VisionTransformer} and
 * {@link dev.vqclip.engine.clip.TextTransformer} the two towers, and {@link dev.vqclip.engine.clip.ClipImages} the
 * resize / centre-crop preprocessing of {@code clip.load}'s transform. Nothing here runs code from a model file.
 */
package dev.vqclip.engine.clip;
