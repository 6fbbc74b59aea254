package dev.vqclip.engine.check;

/**
 * Plain-Java double-precision versions of the composed operations the self-check compares against: each returns
 * {@code {output, gradient of Σ output·r with respect to the input}}, both flattened like their NCHW tensors (batch 1).
 */
final class HostReference {
    private HostReference() {
    }

    /**
     * Group normalisation over groups of {@code channels/groups} channels × {@code positions}, then
     * {@code γ·x̂ + β}; the gradient is {@code (g − mean g − x̂·mean(g·x̂)) / σ} per group with {@code g = r·γ}.
     */
    static double[][] groupNorm(double[] x, int channels, int positions, int groups, double[] gamma, double[] beta,
            double eps, double[] r) {
        double[] y = new double[x.length];
        double[] dx = new double[x.length];
        int perGroup = channels / groups * positions;
        for (int gi = 0; gi < groups; gi++) {
            int from = gi * perGroup;
            double mean = 0;
            for (int i = from; i < from + perGroup; i++) {
                mean += x[i];
            }
            mean /= perGroup;
            double var = 0;
            for (int i = from; i < from + perGroup; i++) {
                var += (x[i] - mean) * (x[i] - mean);
            }
            var /= perGroup;
            double inv = 1 / Math.sqrt(var + eps);
            double meanG = 0;
            double meanGx = 0;
            for (int i = from; i < from + perGroup; i++) {
                int c = i / positions;
                double xhat = (x[i] - mean) * inv;
                y[i] = gamma[c] * xhat + beta[c];
                double g = r[i] * gamma[c];
                meanG += g;
                meanGx += g * xhat;
            }
            meanG /= perGroup;
            meanGx /= perGroup;
            for (int i = from; i < from + perGroup; i++) {
                int c = i / positions;
                double xhat = (x[i] - mean) * inv;
                dx[i] = inv * (r[i] * gamma[c] - meanG - xhat * meanGx);
            }
        }
        return new double[][] {y, dx};
    }

    /**
     * Bilinear sampling of a C×H×W image at pixel coordinates inside it ({@code x ∈ [0, W−1]}, {@code y ∈ [0, H−1]});
     * the gradient scatters {@code r} back with the same four weights.
     */
    static double[][] bilinear(double[] img, int c, int h, int w, double[] px, double[] py, double[] r) {
        int points = px.length;
        double[] out = new double[c * points];
        double[] grad = new double[img.length];
        for (int p = 0; p < points; p++) {
            int x0 = Math.min((int) Math.floor(px[p]), w - 2);
            int y0 = Math.min((int) Math.floor(py[p]), h - 2);
            double wx = px[p] - x0;
            double wy = py[p] - y0;
            double[] weight = {(1 - wx) * (1 - wy), wx * (1 - wy), (1 - wx) * wy, wx * wy};
            int[] at = {y0 * w + x0, y0 * w + x0 + 1, (y0 + 1) * w + x0, (y0 + 1) * w + x0 + 1};
            for (int ch = 0; ch < c; ch++) {
                double v = 0;
                for (int k = 0; k < 4; k++) {
                    v += weight[k] * img[ch * h * w + at[k]];
                    grad[ch * h * w + at[k]] += weight[k] * r[ch * points + p];
                }
                out[ch * points + p] = v;
            }
        }
        return new double[][] {out, grad};
    }
}
