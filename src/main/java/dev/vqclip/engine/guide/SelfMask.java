package dev.vqclip.engine.guide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * CLIP self-masking (VQGAN-CLIP paper, appendix G.2): find the region of an image that a phrase names by scoring many
 * crops of it against the phrase. Each crop's similarity is credited to the latent cells around its centre (a
 * window of half the crop's size, so small crops localise and large ones give context); the per-cell averages are
 * standardised (z-scores) into a heat map, and the cells above a threshold form the mask.
 *
 * <p>The paper thresholds normalised crop scores at mean − 2σ; crediting cells near crop centres and thresholding
 * the standardised heat map is the same idea made to give a mask on the latent grid, with the threshold exposed so
 * the user can move it (the studio shows the heat map).
 */
public final class SelfMask {
    /** Crop sizes as fractions of the shorter side. */
    private static final double[] SCALES = {0.25, 0.375, 0.5};

    private SelfMask() {
    }

    /**
     * The heat map of one phrase over an image.
     *
     * @param rows latent grid height
     * @param cols latent grid width
     * @param zscores standardised similarity per cell (row-major)
     * @param crops how many crops were scored
     */
    public record HeatMap(int rows, int cols, float[] zscores, int crops) {
        /** @return 1 where the z-score is at least {@code threshold}, else 0 */
        public float[] mask(double threshold) {
            float[] m = new float[zscores.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = zscores[i] >= threshold ? 1f : 0f;
            }
            return m;
        }
    }

    /**
     * Scores crops of {@code image} against {@code target}.
     *
     * @param image (1, 3, H, W) in [0, 1]
     * @param target the phrase's normalised embedding (1, D)
     * @param embed crops (N, 3, H', W') in [0,1] → features (N, D); resizing to the model's input is its job
     * @param cropSize the side the crops are resized to before {@code embed}
     * @param factor pixels per latent cell
     * @param batch crops per call of {@code embed}
     */
    public static HeatMap score(NDArray image, NDArray target, UnaryOperator<NDArray> embed, int cropSize, int factor,
                                int batch) {
        Shape s = image.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int rows = h / factor;
        int cols = w / factor;
        int side = Math.min(h, w);
        List<int[]> boxes = new ArrayList<>();
        for (double scale : SCALES) {
            int c = Math.max(8, (int) Math.round(side * scale));
            int stride = Math.max(1, c / 4);
            for (int y = 0; y + c <= h; y += stride) {
                for (int x = 0; x + c <= w; x += stride) {
                    boxes.add(new int[] {y, x, c});
                }
            }
        }
        double[] sum = new double[rows * cols];
        double[] count = new double[rows * cols];
        try (NDManager sm = image.getManager().newSubManager()) {
            NDArray img = image.stopGradient();
            for (int start = 0; start < boxes.size(); start += batch) {
                int end = Math.min(boxes.size(), start + batch);
                NDList crops = new NDList();
                for (int i = start; i < end; i++) {
                    int[] b = boxes.get(i);
                    NDArray crop = img.get(new NDIndex(":, :, {}:{}, {}:{}", b[0], b[0] + b[2], b[1], b[1] + b[2]));
                    crop.attach(sm);
                    crops.add(crop.getNDArrayInternal().interpolation(new long[] {cropSize, cropSize}, 2, false));
                }
                NDArray batchArr = concat(crops);
                NDArray f = SphericalLoss.normalize(embed.apply(batchArr));
                float[] sim = f.matMul(target.transpose()).toFloatArray();
                for (int i = start; i < end; i++) {
                    int[] b = boxes.get(i);
                    credit(sum, count, rows, cols, factor, b, sim[i - start]);
                }
            }
        }
        float[] z = standardise(sum, count);
        return new HeatMap(rows, cols, z, boxes.size());
    }

    private static NDArray concat(NDList list) {
        return list.size() == 1 ? list.get(0) : ai.djl.ndarray.NDArrays.concat(list, 0);
    }

    private static void credit(double[] sum, double[] count, int rows, int cols, int factor, int[] box, float sim) {
        double cy = box[0] + box[2] / 2.0;
        double cx = box[1] + box[2] / 2.0;
        double half = box[2] / 4.0;
        int r0 = Math.max(0, (int) Math.floor((cy - half) / factor));
        int r1 = Math.min(rows - 1, (int) Math.ceil((cy + half) / factor) - 1);
        int c0 = Math.max(0, (int) Math.floor((cx - half) / factor));
        int c1 = Math.min(cols - 1, (int) Math.ceil((cx + half) / factor) - 1);
        for (int r = r0; r <= r1; r++) {
            for (int c = c0; c <= c1; c++) {
                sum[r * cols + c] += sim;
                count[r * cols + c] += 1;
            }
        }
    }

    private static float[] standardise(double[] sum, double[] count) {
        int n = sum.length;
        double[] avg = new double[n];
        double mean = 0;
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (count[i] > 0) {
                avg[i] = sum[i] / count[i];
                mean += avg[i];
                k++;
            }
        }
        mean = k == 0 ? 0 : mean / k;
        double var = 0;
        for (int i = 0; i < n; i++) {
            if (count[i] > 0) {
                var += (avg[i] - mean) * (avg[i] - mean);
            }
        }
        double sd = k == 0 ? 0 : Math.sqrt(var / k);
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = count[i] == 0 || sd == 0 ? 0f : (float) ((avg[i] - mean) / sd);
        }
        return z;
    }
}
