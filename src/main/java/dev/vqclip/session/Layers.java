package dev.vqclip.session;

import dev.vqclip.engine.image.Frame;

/**
 * The user's two layers over an image, as one immutable-by-convention value (arrays are not copied; treat them as
 * read-only). Both may be null.
 *
 * @param paint ARGB paint layer (transparent where unpainted), or null for no paint
 * @param mask the pixel mask (1 = may change), or null for "everything may change"
 */
public record Layers(Frame paint, PixelMask mask) {
    /** No paint and no mask. */
    public static final Layers NONE = new Layers(null, null);

    /** @return true when neither layer is set */
    public boolean isEmpty() {
        return paint == null && mask == null;
    }

    /** @return these layers without any layer whose size differs from {@code width × height} */
    public Layers fitting(int width, int height) {
        Frame p = paint != null && paint.width() == width && paint.height() == height ? paint : null;
        PixelMask m = mask != null && mask.width() == width && mask.height() == height ? mask : null;
        return p == paint && m == mask ? this : new Layers(p, m);
    }
}
