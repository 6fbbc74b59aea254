package dev.vqclip.engine.augment;

/**
 * Which random augmentations are applied to each cutout, and how strongly.
 *
 * @param flip random horizontal flip (p 0.5)
 * @param affine random affine: rotation up to {@code degrees}, translation up to 10% (p 0.7)
 * @param perspective random perspective distortion 0.7 (p 0.7)
 * @param colorJitter hue and saturation jitter 0.1 (p 0.7)
 * @param noise Gaussian noise, per cutout std uniform in [0, noiseFactor]
 * @param noiseFactor the largest noise std
 */
public record Augmentations(boolean flip, boolean affine, boolean perspective, boolean colorJitter, boolean noise,
                            double noiseFactor) {
    /** The defaults of common VQGAN-CLIP implementations. */
    public static Augmentations defaults() {
        return new Augmentations(true, true, true, true, true, 0.1);
    }

    /** Nothing but the cutouts themselves. */
    public static Augmentations none() {
        return new Augmentations(false, false, false, false, false, 0.0);
    }
}
