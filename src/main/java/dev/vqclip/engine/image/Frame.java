package dev.vqclip.engine.image;

import java.util.Objects;

/**
 * An image as plain Java data: {@code width × height} pixels, ARGB packed ints in row-major order. Frames cross from
 * the engine to the UI; they never hold tensors. Treat the array as read-only once published.
 *
 * @param width pixels per row
 * @param height rows
 * @param argb {@code width * height} pixels
 */
public record Frame(int width, int height, int[] argb) {
    public Frame {
        Objects.requireNonNull(argb, "argb");
        if (width <= 0 || height <= 0 || (long) width * height != argb.length) {
            throw new IllegalArgumentException("frame " + width + "x" + height + " needs " + (long) width * height
                    + " pixels, got " + argb.length);
        }
    }

    /** @return the pixel at (x, y) as ARGB */
    public int pixel(int x, int y) {
        return argb[y * width + x];
    }

    /** @return a deep copy */
    public Frame copy() {
        return new Frame(width, height, argb.clone());
    }

    /** @return red, green, blue of every pixel as floats in [0,1], planar (3, H, W) */
    public float[] toPlanarRgb() {
        int n = width * height;
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            out[i] = ((p >> 16) & 0xff) / 255f;
            out[n + i] = ((p >> 8) & 0xff) / 255f;
            out[2 * n + i] = (p & 0xff) / 255f;
        }
        return out;
    }

    /** Builds a frame from planar (3, H, W) values in [0,1]; values are clamped and rounded. */
    public static Frame fromPlanarRgb(float[] rgb, int width, int height) {
        int n = width * height;
        if (rgb.length != 3 * n) {
            throw new IllegalArgumentException("expected " + 3 * n + " values, got " + rgb.length);
        }
        int[] argb = new int[n];
        for (int i = 0; i < n; i++) {
            argb[i] = 0xff000000 | to8(rgb[i]) << 16 | to8(rgb[n + i]) << 8 | to8(rgb[2 * n + i]);
        }
        return new Frame(width, height, argb);
    }

    private static int to8(float v) {
        float c = Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v));
        return Math.round(c * 255f);
    }
}
