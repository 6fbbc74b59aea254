package dev.vqclip.engine.augment;

/**
 * Host-side 3×3 projective transforms of the plane (row-major {@code double[9]}), acting on column vectors
 * {@code (x, y, 1)} in pixel coordinates. Tiny and allocation-light: a few matrices per cutout and step.
 */
final class Homography {
    private Homography() {
    }

    static double[] identity() {
        return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
    }

    static boolean isIdentity(double[] m) {
        double[] id = identity();
        for (int i = 0; i < 9; i++) {
            if (m[i] != id[i]) {
                return false;
            }
        }
        return true;
    }

    /** @return {@code a · b} (apply b first, then a) */
    static double[] multiply(double[] a, double[] b) {
        double[] r = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    s += a[3 * i + k] * b[3 * k + j];
                }
                r[3 * i + j] = s;
            }
        }
        return r;
    }

    static double[] translation(double tx, double ty) {
        return new double[] {1, 0, tx, 0, 1, ty, 0, 0, 1};
    }

    /** Horizontal mirror of a frame {@code width} pixels wide: {@code x ↦ (width − 1) − x}. */
    static double[] horizontalFlip(int width) {
        return new double[] {-1, 0, width - 1, 0, 1, 0, 0, 0, 1};
    }

    /**
     * Rotation about {@code (cx, cy)} by {@code degrees} (positive = counter-clockwise as displayed, with y pointing
     * down: OpenCV's {@code getRotationMatrix2D} convention), followed by a translation {@code (tx, ty)}.
     */
    static double[] rotationAbout(double cx, double cy, double degrees, double tx, double ty) {
        double r = Math.toRadians(degrees);
        double c = Math.cos(r);
        double s = Math.sin(r);
        double[] rot = {c, s, 0, -s, c, 0, 0, 0, 1};
        return multiply(translation(cx + tx, cy + ty), multiply(rot, translation(-cx, -cy)));
    }

    /** @return the inverse; throws when the matrix is (numerically) singular */
    static double[] invert(double[] m) {
        double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
        double c00 = e * i - f * h;
        double c01 = -(d * i - f * g);
        double c02 = d * h - e * g;
        double det = a * c00 + b * c01 + c * c02;
        double scale = 0;
        for (double v : m) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (!(Math.abs(det) > 1e-12 * scale * scale * scale)) {
            throw new IllegalArgumentException("singular transform (determinant " + det + ")");
        }
        double[] r = {
            c00, -(b * i - c * h), b * f - c * e,
            c01, a * i - c * g, -(a * f - c * d),
            c02, -(a * h - b * g), a * e - b * d};
        for (int k = 0; k < 9; k++) {
            r[k] /= det;
        }
        return r;
    }

    /**
     * The projective map sending four source points to four destination points (each {@code x0,y0,…,x3,y3}), by
     * solving the 8×8 linear system with h₃₃ = 1 (partial-pivot Gaussian elimination).
     *
     * @throws IllegalArgumentException when three of the points are collinear (no unique solution)
     */
    static double[] fromFourPoints(double[] src, double[] dst) {
        double[][] a = new double[8][9];
        for (int k = 0; k < 4; k++) {
            double x = src[2 * k], y = src[2 * k + 1], u = dst[2 * k], v = dst[2 * k + 1];
            a[2 * k] = new double[] {x, y, 1, 0, 0, 0, -u * x, -u * y, u};
            a[2 * k + 1] = new double[] {0, 0, 0, x, y, 1, -v * x, -v * y, v};
        }
        for (int col = 0; col < 8; col++) {
            int pivot = col;
            for (int row = col + 1; row < 8; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                    pivot = row;
                }
            }
            if (!(Math.abs(a[pivot][col]) > 1e-9)) {
                throw new IllegalArgumentException("degenerate quadrilateral: no unique perspective transform");
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            for (int row = 0; row < 8; row++) {
                if (row != col) {
                    double f = a[row][col] / a[col][col];
                    if (f != 0) {
                        for (int k = col; k < 9; k++) {
                            a[row][k] -= f * a[col][k];
                        }
                    }
                }
            }
        }
        double[] h = new double[9];
        for (int k = 0; k < 8; k++) {
            h[k] = a[k][8] / a[k][k];
        }
        h[8] = 1;
        return h;
    }

    /** @return {@code m · (x, y, 1)} dehomogenised, as {@code {x', y'}} */
    static double[] apply(double[] m, double x, double y) {
        double w = m[6] * x + m[7] * y + m[8];
        return new double[] {(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w};
    }
}
