package dev.vqclip.engine.run;

import dev.vqclip.engine.image.Frame;

/**
 * The camera move of one animation frame, applied to the previous frame's pixels: zoom about the centre (above 1
 * moves content outwards), rotate (degrees, counter-clockwise on screen) and pan (pixels; positive x moves content
 * right, positive y down). Each output pixel samples its source bilinearly; sources outside the frame take the
 * nearest edge pixel, so a zoom out or a pan fills the border with the edge's colours for the next steps to paint.
 *
 * @param zoom scale factor, > 0
 * @param rotate degrees
 * @param panX pixels
 * @param panY pixels
 */
public record FrameTransform(double zoom, double rotate, double panX, double panY) {
    public FrameTransform {
        if (!(zoom > 0) || !Double.isFinite(zoom) || zoom > 100) {
            throw new IllegalArgumentException("zoom must be in (0, 100], got " + zoom);
        }
        if (!Double.isFinite(rotate) || !Double.isFinite(panX) || !Double.isFinite(panY)) {
            throw new IllegalArgumentException("rotate and pan must be finite numbers");
        }
    }

    /** @return whether applying this changes nothing */
    public boolean isIdentity() {
        return zoom == 1 && rotate == 0 && panX == 0 && panY == 0;
    }

    /** @return the moved frame, same size */
    public Frame apply(Frame src) {
        if (isIdentity()) {
            return src.copy();
        }
        int w = src.width();
        int h = src.height();
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        double a = Math.toRadians(rotate);
        // screen y points down, so a counter-clockwise turn on screen is a clockwise one in these coordinates
        double cos = Math.cos(a);
        double sin = Math.sin(a);
        int[] in = src.argb();
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // inverse map: undo the pan, the zoom, then the rotation
                double dx = (x - cx - panX) / zoom;
                double dy = (y - cy - panY) / zoom;
                double sx = cx + cos * dx - sin * dy;
                double sy = cy + sin * dx + cos * dy;
                out[y * w + x] = sample(in, w, h, sx, sy);
            }
        }
        return new Frame(w, h, out);
    }

    private static int sample(int[] px, int w, int h, double x, double y) {
        x = Math.max(0, Math.min(w - 1, x));
        y = Math.max(0, Math.min(h - 1, y));
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        int x1 = Math.min(x0 + 1, w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        double fx = x - x0;
        double fy = y - y0;
        int p00 = px[y0 * w + x0];
        int p01 = px[y0 * w + x1];
        int p10 = px[y1 * w + x0];
        int p11 = px[y1 * w + x1];
        int argb = 0xff000000;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double top = ((p00 >> shift) & 0xff) * (1 - fx) + ((p01 >> shift) & 0xff) * fx;
            double bottom = ((p10 >> shift) & 0xff) * (1 - fx) + ((p11 >> shift) & 0xff) * fx;
            int v = (int) Math.round(top * (1 - fy) + bottom * fy);
            argb |= Math.max(0, Math.min(255, v)) << shift;
        }
        return argb;
    }
}
