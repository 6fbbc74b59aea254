package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.io.ImageDecoder;
import dev.vqclip.engine.nn.Tensors;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading, scaling and embedding images, with errors that name the file. No JavaFX. */
public final class Images {
    private Images() {
    }

    /**
     * @return the image as a frame
     * @throws IllegalArgumentException naming the file when it is missing or not an image ImageIO can read
     */
    public static Frame read(Path file) {
        BufferedImage img = readBufferedImage(file);
        try {
            return fromBufferedImage(img);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(file + ": not enough memory for a " + img.getWidth() + "x"
                    + img.getHeight() + " image (the Java heap limit is " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB)", e);
        }
    }

    /**
     * @return the image as ImageIO decodes it
     * @throws IllegalArgumentException naming the file when it is missing, not an image ImageIO can read, or larger
     *     than {@link ImageDecoder#MAX_PIXELS} (checked before decoding)
     */
    public static BufferedImage readBufferedImage(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such image file");
        }
        try {
            return ImageDecoder.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static Frame fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            argb[i] |= 0xff000000;
        }
        return new Frame(w, h, argb);
    }

    public static BufferedImage toBufferedImage(Frame f) {
        BufferedImage img = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, f.width(), f.height(), f.argb(), 0, f.width());
        return img;
    }

    /** Scales to exactly {@code w × h} (bicubic), ignoring the aspect ratio. */
    public static Frame resize(Frame f, int w, int h) {
        if (f.width() == w && f.height() == h) {
            return f;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(toBufferedImage(f), 0, 0, w, h, null);
        g.dispose();
        return fromBufferedImage(out);
    }

    /** Scales to cover {@code w × h} keeping the aspect ratio, then crops the centre. */
    public static Frame coverAndCrop(Frame f, int w, int h) {
        double s = Math.max((double) w / f.width(), (double) h / f.height());
        int sw = Math.max(w, (int) Math.round(f.width() * s));
        int sh = Math.max(h, (int) Math.round(f.height() * s));
        Frame scaled = resize(f, sw, sh);
        int x0 = (sw - w) / 2;
        int y0 = (sh - h) / 2;
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(scaled.argb(), (y + y0) * sw + x0, out, y * w, w);
        }
        return new Frame(w, h, out);
    }

    /** @return the frame as a (1, 3, H, W) tensor in [0, 1] */
    public static NDArray toTensor(Frame f, NDManager manager) {
        return Tensors.fromHost(manager, f.toPlanarRgb(), new Shape(1, 3, f.height(), f.width()));
    }

    /**
     * @return CLIP's embedding (not normalised) of the image, scaled and centre-cropped to CLIP's resolution
     */
    public static float[] clipEmbedding(Clip clip, Frame image, NDManager manager) {
        int r = clip.imageResolution();
        try (NDManager sm = manager.newSubManager()) {
            NDArray x = toTensor(coverAndCrop(image, r, r), sm);
            return clip.encodeImage(clip.normalize(x)).toFloatArray();
        }
    }
}
