package dev.vqclip.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.ImageDecoder;
import dev.vqclip.engine.image.Images;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The image preprocessing of OpenAI's {@code clip.load}: resize the shorter side to the model's resolution with
 * PIL-style antialiased bicubic filtering, centre-crop a square, RGB in [0, 1]. (Normalisation is
 * {@link Clip#normalize}.) Values are kept in floating point between the two filter passes where PIL rounds to 8
 * bits, so results may differ from PIL's by up to about 1/255.
 */
public final class ClipImages {
    private static final double CUBIC_A = -0.5;
    private static final double CUBIC_SUPPORT = 2.0;

    private ClipImages() {
    }

    /**
     * Reads an image file (PNG, JPEG, BMP, GIF: whatever {@link ImageIO} reads).
     *
     * @throws UncheckedIOException naming the file when it cannot be read or is not an image
     */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new IOException(file + ": no such file"));
        }
        try {
            return ImageDecoder.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Resize (shorter side → {@code resolution}) and centre crop, as torchvision's {@code Resize(n)} +
     * {@code CenterCrop(n)} on a PIL image. Alpha is dropped, like PIL's {@code convert("RGB")}.
     *
     * @return planar RGB (3 × resolution × resolution) in [0, 1], C order — one image of an (N, 3, R, R) batch
     */
    public static float[] preprocess(BufferedImage img, int resolution) {
        int w = img.getWidth();
        int h = img.getHeight();
        int ow;
        int oh;
        if (w <= h) {
            ow = resolution;
            oh = (int) ((long) resolution * h / w);
        } else {
            oh = resolution;
            ow = (int) ((long) resolution * w / h);
        }
        float[][] rgb = toPlanes(img);
        float[][] resized = new float[3][];
        for (int c = 0; c < 3; c++) {
            float[] horizontal = w == ow ? rgb[c] : resample(rgb[c], w, h, ow, true);
            resized[c] = h == oh ? horizontal : resample(horizontal, ow, h, oh, false);
        }
        int top = (int) Math.rint((oh - resolution) / 2.0);
        int left = (int) Math.rint((ow - resolution) / 2.0);
        float[] out = new float[3 * resolution * resolution];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < resolution; y++) {
                for (int x = 0; x < resolution; x++) {
                    float v = resized[c][(top + y) * ow + left + x];
                    out[(c * resolution + y) * resolution + x] = Math.min(1f, Math.max(0f, v));
                }
            }
        }
        return out;
    }

    private static float[][] toPlanes(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[][] p = new float[3][w * h];
        for (int i = 0; i < argb.length; i++) {
            p[0][i] = ((argb[i] >> 16) & 0xff) / 255f;
            p[1][i] = ((argb[i] >> 8) & 0xff) / 255f;
            p[2][i] = (argb[i] & 0xff) / 255f;
        }
        return p;
    }

    /**
     * One separable pass of antialiased bicubic resampling (PIL's scheme: the kernel is stretched by the downscale
     * factor, weights are normalised per output sample, sample centres at (i + 0.5) · scale).
     *
     * @param horizontal true to resample along x (width {@code in} → {@code out}), false along y
     */
    static float[] resample(float[] src, int w, int h, int out, boolean horizontal) {
        int in = horizontal ? w : h;
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = CUBIC_SUPPORT * filterScale;
        int[] start = new int[out];
        double[][] weights = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            double[] k = new double[Math.max(hi - lo, 0)];
            double sum = 0;
            for (int j = 0; j < k.length; j++) {
                k[j] = cubic((j + lo - center + 0.5) / filterScale);
                sum += k[j];
            }
            if (sum != 0) {
                for (int j = 0; j < k.length; j++) {
                    k[j] /= sum;
                }
            }
            start[i] = lo;
            weights[i] = k;
        }
        int ow = horizontal ? out : w;
        int oh = horizontal ? h : out;
        float[] dst = new float[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int i = horizontal ? x : y;
                double acc = 0;
                double[] k = weights[i];
                for (int j = 0; j < k.length; j++) {
                    int s = start[i] + j;
                    acc += k[j] * (horizontal ? src[y * w + s] : src[s * w + x]);
                }
                dst[y * ow + x] = (float) acc;
            }
        }
        return dst;
    }

    private static double cubic(double x) {
        double a = Math.abs(x);
        if (a < 1) {
            return ((CUBIC_A + 2) * a - (CUBIC_A + 3)) * a * a + 1;
        }
        if (a < 2) {
            return (((a - 5) * a + 8) * a - 4) * CUBIC_A;
        }
        return 0;
    }

    /**
     * @return CLIP's embedding (not normalised) of the image, scaled to cover CLIP's resolution and centre-cropped
     */
    public static float[] embedding(Clip clip, Frame image, NDManager manager) {
        int r = clip.imageResolution();
        try (NDManager sm = manager.newSubManager()) {
            NDArray x = Images.toTensor(Images.coverAndCrop(image, r, r), sm);
            return clip.encodeImage(clip.normalize(x)).toFloatArray();
        }
    }
}
