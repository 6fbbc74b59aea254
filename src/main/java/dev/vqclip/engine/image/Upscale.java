package dev.vqclip.engine.image;


/**
 * Enlarges a frame by a whole factor with a Lanczos-3 filter (for exporting a small result at 2× or 4×), one axis
 * after the other. Colour is filtered premultiplied by alpha, so transparent pixels do not bleed their colour into
 * their neighbours; values are rounded and clamped to 0..255 (the filter's small overshoot at hard edges is cut).
 * Pixel centres are aligned: output pixel {@code o} samples the source at {@code (o + 0.5) / factor - 0.5}, and
 * samples beyond the border repeat the edge pixel.
 */
public final class Upscale {
    /** Lobes of the Lanczos kernel: taps at distance below this count. */
    static final int LOBES = 3;

    private Upscale() {
    }

    /**
     * @param factor 1 (a copy), 2, 3, 4, … up to 16
     * @return the frame, {@code factor} times wider and higher
     * @throws IllegalArgumentException when the factor is out of range or the result would exceed
     *         {@link Images#MAX_PIXELS}
     */
    public static Frame lanczos(Frame f, int factor) {
        if (factor < 1 || factor > 16) {
            throw new IllegalArgumentException("upscale factor must be 1 to 16, got " + factor);
        }
        long outPixels = (long) f.width() * factor * f.height() * factor;
        if (outPixels > Images.MAX_PIXELS) {
            throw new IllegalArgumentException(f.width() + "x" + f.height() + " at " + factor + "x is " + outPixels
                    + " pixels, more than the " + Images.MAX_PIXELS + " an image may have");
        }
        if (factor == 1) {
            return f.copy();
        }
        int w = f.width();
        int h = f.height();
        // premultiplied planes: a, r·a, g·a, b·a in 0..255
        float[][] src = new float[4][w * h];
        for (int i = 0; i < w * h; i++) {
            int p = f.argb()[i];
            float a = p >>> 24;
            src[0][i] = a;
            src[1][i] = (p >> 16 & 0xff) * a / 255f;
            src[2][i] = (p >> 8 & 0xff) * a / 255f;
            src[3][i] = (p & 0xff) * a / 255f;
        }
        Taps t = taps(factor);
        int ow = w * factor;
        int oh = h * factor;
        float[][] wide = new float[4][ow * h];
        for (int c = 0; c < 4; c++) {
            for (int y = 0; y < h; y++) {
                for (int ox = 0; ox < ow; ox++) {
                    int phase = ox % factor;
                    int base = ox / factor + t.offset[phase];
                    double sum = 0;
                    for (int k = 0; k < t.count; k++) {
                        int x = Math.min(w - 1, Math.max(0, base + k));
                        sum += t.weight[phase][k] * src[c][y * w + x];
                    }
                    wide[c][y * ow + ox] = (float) sum;
                }
            }
        }
        int[] out = new int[ow * oh];
        float[] px = new float[4];
        for (int oy = 0; oy < oh; oy++) {
            int phase = oy % factor;
            int base = oy / factor + t.offset[phase];
            for (int ox = 0; ox < ow; ox++) {
                for (int c = 0; c < 4; c++) {
                    double sum = 0;
                    for (int k = 0; k < t.count; k++) {
                        int y = Math.min(h - 1, Math.max(0, base + k));
                        sum += t.weight[phase][k] * wide[c][y * ow + ox];
                    }
                    px[c] = (float) sum;
                }
                out[oy * ow + ox] = pack(px);
            }
        }
        return new Frame(ow, oh, out);
    }

    private static int pack(float[] px) {
        int a = clamp(px[0]);
        if (a == 0) {
            return 0;
        }
        float un = 255f / Math.max(px[0], 1e-6f);
        int r = clamp(px[1] * un);
        int g = clamp(px[2] * un);
        int b = clamp(px[3] * un);
        return a << 24 | r << 16 | g << 8 | b;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Per output phase (position modulo the factor): the first source offset and the normalised weights. */
    private record Taps(int count, int[] offset, double[][] weight) {
    }

    private static Taps taps(int factor) {
        int count = 2 * LOBES;
        int[] offset = new int[factor];
        double[][] weight = new double[factor][count];
        for (int p = 0; p < factor; p++) {
            double centre = (p + 0.5) / factor - 0.5; // relative to source pixel ox / factor
            int first = (int) Math.floor(centre) - LOBES + 1;
            offset[p] = first;
            double total = 0;
            for (int k = 0; k < count; k++) {
                double wk = kernel(centre - (first + k));
                weight[p][k] = wk;
                total += wk;
            }
            for (int k = 0; k < count; k++) {
                weight[p][k] /= total;
            }
        }
        return new Taps(count, offset, weight);
    }

    /** The Lanczos-3 kernel: sinc(x)·sinc(x/3) for |x| < 3, else 0. */
    static double kernel(double x) {
        double ax = Math.abs(x);
        if (ax < 1e-9) {
            return 1;
        }
        if (ax >= LOBES) {
            return 0;
        }
        double px = Math.PI * x;
        return LOBES * Math.sin(px) * Math.sin(px / LOBES) / (px * px);
    }
}
