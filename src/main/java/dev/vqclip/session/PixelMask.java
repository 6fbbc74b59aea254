package dev.vqclip.session;

/**
 * The user's mask layer in pixels: one value in [0,1] per pixel (1 = may change), row-major.
 *
 * @param width pixels per row
 * @param height rows
 * @param values {@code width * height} values
 */
public record PixelMask(int width, int height, float[] values) {
    public PixelMask {
        if (width <= 0 || height <= 0 || values == null || values.length != (long) width * height) {
            throw new IllegalArgumentException("pixel mask " + width + "x" + height + " needs " + (long) width * height
                    + " values");
        }
        for (float v : values) {
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("mask values must be in [0,1], got " + v);
            }
        }
        values = values.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }
}
