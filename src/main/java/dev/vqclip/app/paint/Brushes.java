package dev.vqclip.app.paint;

import dev.vqclip.engine.image.Frame;

/**
 * Brush arithmetic on plain rasters (ARGB {@code int[]} for paint, {@code float[]} in [0,1] for masks), row-major,
 * {@code w × h}. Every function changes only the pixels inside the rectangle it returns, so callers redraw just that
 * and tests need no screen. Colours are non-premultiplied ARGB; "over" is the usual source-over blend.
 */
public final class Brushes {
    private Brushes() {
    }

    /**
     * Adds one round dab to a stroke's coverage: each pixel keeps the larger of its coverage and the dab's (so
     * overlapping dabs of one stroke never exceed the brush's opacity).
     *
     * @param coverage {@code w * h} values in [0,1], changed in place
     * @param cx centre column in image pixels (pixel centres are at +0.5)
     * @param cy centre row
     * @return the pixels whose coverage may have grown
     */
    public static DirtyRect dab(float[] coverage, int w, int h, double cx, double cy, double size, double hardness) {
        double r = size / 2.0;
        double inner = r * hardness;
        DirtyRect box = new DirtyRect((int) Math.floor(cx - r), (int) Math.floor(cy - r),
                (int) Math.ceil(2 * r) + 2, (int) Math.ceil(2 * r) + 2).clip(w, h);
        for (int y = box.y(); y < box.y() + box.height(); y++) {
            for (int x = box.x(); x < box.x() + box.width(); x++) {
                double d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
                float c;
                if (d <= inner || (r <= 0.5 && d <= 0.5)) {
                    c = 1f;
                } else if (d >= r) {
                    c = 0f;
                } else {
                    double t = (r - d) / (r - inner); // 1 at the inner edge, 0 at the rim
                    c = (float) (t * t * (3 - 2 * t));
                }
                int i = y * w + x;
                if (c > coverage[i]) {
                    coverage[i] = c;
                }
            }
        }
        return box;
    }

    /** Writes {@code base} with the colour laid over it at {@code coverage × opacity} into {@code out}, inside r. */
    public static void paintOver(int[] base, float[] coverage, int[] out, int w, DirtyRect r, int argb,
                                 double opacity) {
        double colourAlpha = ((argb >>> 24) & 0xff) / 255.0;
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            for (int x = r.x(); x < r.x() + r.width(); x++) {
                int i = y * w + x;
                double a = coverage[i] * opacity * colourAlpha;
                out[i] = a <= 0 ? base[i] : over(argb, a, base[i]);
            }
        }
    }

    /** Writes {@code base} with its alpha reduced by {@code coverage × opacity} into {@code out} (the frame shows). */
    public static void erase(int[] base, float[] coverage, int[] out, int w, DirtyRect r, double opacity) {
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            for (int x = r.x(); x < r.x() + r.width(); x++) {
                int i = y * w + x;
                double keep = 1 - coverage[i] * opacity;
                int a = (int) Math.round(((base[i] >>> 24) & 0xff) * keep);
                out[i] = a <= 0 ? 0 : (a << 24) | (base[i] & 0xffffff);
            }
        }
    }

    /**
     * Writes a mask stroke into {@code out}: adding moves values towards 1 by {@code coverage × opacity}, erasing
     * towards 0.
     */
    public static void mask(float[] base, float[] coverage, float[] out, int w, DirtyRect r, double opacity,
                            boolean erase) {
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            for (int x = r.x(); x < r.x() + r.width(); x++) {
                int i = y * w + x;
                float a = (float) (coverage[i] * opacity);
                float v = erase ? base[i] * (1 - a) : base[i] + (1 - base[i]) * a;
                out[i] = Math.max(0f, Math.min(1f, v));
            }
        }
    }

    /**
     * One dab of colour straight onto a raster: a single brush stamp.
     *
     * @return the pixels that may have changed
     */
    public static DirtyRect stamp(int[] raster, int w, int h, double cx, double cy, BrushSettings b) {
        float[] cov = new float[w * h];
        DirtyRect r = dab(cov, w, h, cx, cy, b.size(), b.hardness());
        paintOver(raster, cov, raster, w, r, b.argb(), b.opacity());
        return r;
    }

    /** Lays the colour over every pixel of {@code sel} (clipped to the raster) at {@code opacity}. */
    public static DirtyRect fill(int[] raster, int w, int h, DirtyRect sel, int argb, double opacity) {
        DirtyRect r = sel.clip(w, h);
        double a = opacity * (((argb >>> 24) & 0xff) / 255.0);
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            for (int x = r.x(); x < r.x() + r.width(); x++) {
                int i = y * w + x;
                raster[i] = a <= 0 ? raster[i] : over(argb, a, raster[i]);
            }
        }
        return r;
    }

    /** Source-over of an opaque colour at alpha {@code a} onto a non-premultiplied ARGB pixel. */
    static int over(int argb, double a, int dst) {
        double da = ((dst >>> 24) & 0xff) / 255.0;
        double oa = a + da * (1 - a);
        if (oa <= 0) {
            return 0;
        }
        int r = blend((argb >> 16) & 0xff, a, (dst >> 16) & 0xff, da, oa);
        int g = blend((argb >> 8) & 0xff, a, (dst >> 8) & 0xff, da, oa);
        int b = blend(argb & 0xff, a, dst & 0xff, da, oa);
        int alpha = (int) Math.round(oa * 255);
        return alpha << 24 | r << 16 | g << 8 | b;
    }

    private static int blend(int s, double sa, int d, double da, double oa) {
        return (int) Math.max(0, Math.min(255, Math.round((s * sa + d * da * (1 - sa)) / oa)));
    }

    /**
     * @param paint the paint layer, or null (a layer of another size is not shown, so not picked)
     * @return the opaque colour shown at (x, y), clamped into the frame: the paint over the frame
     */
    public static int colourAt(Frame frame, Frame paint, double x, double y) {
        int px = Math.max(0, Math.min(frame.width() - 1, (int) Math.floor(x)));
        int py = Math.max(0, Math.min(frame.height() - 1, (int) Math.floor(y)));
        boolean fits = paint != null && paint.width() == frame.width() && paint.height() == frame.height();
        return 0xff000000 | (fits ? composite(frame, paint) : frame).pixel(px, py);
    }

    /** @return the frame with the paint layer laid over it (a new frame, opaque) */
    public static Frame composite(Frame frame, Frame paint) {
        if (frame.width() != paint.width() || frame.height() != paint.height()) {
            throw new IllegalArgumentException("paint layer " + paint.width() + "x" + paint.height()
                    + " does not match the frame " + frame.width() + "x" + frame.height());
        }
        int[] out = frame.argb().clone();
        int[] p = paint.argb();
        for (int i = 0; i < out.length; i++) {
            int a = (p[i] >>> 24) & 0xff;
            if (a > 0) {
                out[i] = 0xff000000 | (over(p[i], a / 255.0, out[i]) & 0xffffff);
            }
        }
        return new Frame(frame.width(), frame.height(), out);
    }

    /** @return true for every pixel the paint layer covers (alpha > 0) */
    public static boolean[] painted(Frame paint) {
        int[] p = paint.argb();
        boolean[] out = new boolean[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (p[i] >>> 24) != 0;
        }
        return out;
    }

    /** @return a fully transparent layer */
    public static Frame emptyLayer(int w, int h) {
        return new Frame(w, h, new int[w * h]);
    }
}
