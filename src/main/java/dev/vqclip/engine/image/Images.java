package dev.vqclip.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.nn.Tensors;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Frames to and from {@link BufferedImage}s, image files and tensors, with errors that name the file (no JavaFX).
 * Decoding is bounded by {@link ImageDecoder}: the size is checked before any pixel is allocated.
 *
 * <p>Alpha: {@link #fromBufferedImage} and {@link #decode} keep it (session layers are transparent);
 * {@link #read(Path)} makes the pixels opaque, since a run's inputs (init image, mask, image prompt) have no use for
 * transparency; {@link #resize} and {@link #coverAndCrop} return opaque frames.
 */
public final class Images {
    /** Largest image decoded (pixels). */
    public static final long MAX_PIXELS = ImageDecoder.MAX_PIXELS;
    private static final String GIF_FORMAT = "javax_imageio_gif_image_1.0";

    private Images() {
    }

    /**
     * @return the image file as an opaque frame (alpha set to 255 everywhere)
     * @throws IllegalArgumentException naming the file when it is missing, not an image ImageIO can read, or too large
     */
    public static Frame read(Path file) {
        BufferedImage img = readBufferedImage(file);
        try {
            return opaque(fromBufferedImage(img));
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

    /**
     * Decodes an image (PNG or anything ImageIO reads) of at most {@link #MAX_PIXELS} pixels, alpha kept.
     *
     * @param where names the file/entry in error messages
     * @throws IOException naming {@code where} when the data is not an image or is too large
     */
    public static Frame decode(byte[] data, String where) throws IOException {
        return decode(data, where, ImageDecoder.MAX_SIDE, ImageDecoder.MAX_SIDE);
    }

    /**
     * Decodes an image whose header says it is at most {@code maxWidth × maxHeight} (checked before decoding).
     *
     * @throws IOException naming {@code where}, the size and the limit; never an {@link OutOfMemoryError}
     */
    public static Frame decode(byte[] data, String where, int maxWidth, int maxHeight) throws IOException {
        BufferedImage img = ImageDecoder.read(data, where, maxWidth, maxHeight);
        try {
            return fromBufferedImage(img);
        } catch (OutOfMemoryError e) {
            throw new IOException(where + ": not enough memory for a " + img.getWidth() + "x" + img.getHeight()
                    + " image (the Java heap limit is " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)", e);
        }
    }

    /** @return the image's pixels as ARGB, alpha kept */
    public static Frame fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        return new Frame(w, h, img.getRGB(0, 0, w, h, null, 0, w));
    }

    /** @return the frame with every pixel's alpha set to 255 (the same frame when it already is opaque) */
    public static Frame opaque(Frame f) {
        if (isOpaque(f)) {
            return f;
        }
        int[] argb = f.argb().clone();
        for (int i = 0; i < argb.length; i++) {
            argb[i] |= 0xff000000;
        }
        return new Frame(f.width(), f.height(), argb);
    }

    /** @return whether every pixel has alpha 255 */
    public static boolean isOpaque(Frame f) {
        for (int p : f.argb()) {
            if (p >>> 24 != 0xff) {
                return false;
            }
        }
        return true;
    }

    /** @return the frame as an RGB image when it is opaque, ARGB when any pixel is not */
    public static BufferedImage toBufferedImage(Frame f) {
        return toBufferedImage(f, isOpaque(f) ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
    }

    private static BufferedImage toBufferedImage(Frame f, int type) {
        BufferedImage img = new BufferedImage(f.width(), f.height(), type);
        img.setRGB(0, 0, f.width(), f.height(), f.argb(), 0, f.width());
        return img;
    }

    /** Scales to exactly {@code w × h} (bicubic), ignoring the aspect ratio; the result is opaque. */
    public static Frame resize(Frame f, int w, int h) {
        if (f.width() == w && f.height() == h) {
            return opaque(f);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(toBufferedImage(f, BufferedImage.TYPE_INT_RGB), 0, 0, w, h, null);
        g.dispose();
        return opaque(fromBufferedImage(out));
    }

    /** Scales to cover {@code w × h} keeping the aspect ratio, then crops the centre; the result is opaque. */
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

    /** @return the frame scaled down (area average, alpha too) so its longer side is at most {@code maxSide} */
    public static Frame thumbnail(Frame f, int maxSide) {
        int w = f.width();
        int h = f.height();
        double s = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * s));
        int th = Math.max(1, (int) Math.round(h * s));
        if (tw == w && th == h) {
            return f.copy();
        }
        int[] out = new int[tw * th];
        for (int ty = 0; ty < th; ty++) {
            int y0 = ty * h / th;
            int y1 = Math.max(y0 + 1, (ty + 1) * h / th);
            for (int tx = 0; tx < tw; tx++) {
                int x0 = tx * w / tw;
                int x1 = Math.max(x0 + 1, (tx + 1) * w / tw);
                long a = 0;
                long r = 0;
                long g = 0;
                long b = 0;
                int n = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int p = f.argb()[y * w + x];
                        a += p >>> 24;
                        r += (p >> 16) & 0xff;
                        g += (p >> 8) & 0xff;
                        b += p & 0xff;
                        n++;
                    }
                }
                out[ty * tw + tx] = (int) (a / n) << 24 | (int) (r / n) << 16 | (int) (g / n) << 8 | (int) (b / n);
            }
        }
        return new Frame(tw, th, out);
    }

    /** @return the frame as a (1, 3, H, W) tensor in [0, 1] */
    public static NDArray toTensor(Frame f, NDManager manager) {
        return Tensors.fromHost(manager, f.toPlanarRgb(), new Shape(1, 3, f.height(), f.width()));
    }

    /**
     * Writes frames as an animated GIF that loops forever (atomically).
     *
     * @param delayMillis time each frame is shown
     */
    public static void writeGif(Path file, List<Frame> frames, int delayMillis) throws IOException {
        writeGif(file, FrameSource.of(frames), delayMillis, n -> { });
    }

    /**
     * Writes a looping GIF frame by frame (an animation is never held in memory whole), atomically.
     *
     * @param progress called with the number of frames written so far
     */
    public static void writeGif(Path file, FrameSource frames, int delayMillis, IntConsumer progress)
            throws IOException {
        if (frames.count() < 1) {
            throw new IllegalArgumentException("an animation needs at least one frame");
        }
        AtomicFiles.write(file, out -> writeGif(out, frames, delayMillis, progress));
    }

    static void writeGif(OutputStream out, FrameSource frames, int delayMillis, IntConsumer progress)
            throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            w.prepareWriteSequence(null);
            boolean first = true;
            for (int i = 0; i < frames.count(); i++) {
                Frame f = frames.frame(i);
                BufferedImage img = toBufferedImage(f, BufferedImage.TYPE_INT_RGB);
                ImageWriteParam p = w.getDefaultWriteParam();
                IIOMetadata meta = w.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), p);
                IIOMetadataNode root = new IIOMetadataNode(GIF_FORMAT);
                IIOMetadataNode gce = new IIOMetadataNode("GraphicControlExtension");
                gce.setAttribute("disposalMethod", "none");
                gce.setAttribute("userInputFlag", "FALSE");
                gce.setAttribute("transparentColorFlag", "FALSE");
                gce.setAttribute("delayTime", Integer.toString(Math.max(1, delayMillis / 10)));
                gce.setAttribute("transparentColorIndex", "0");
                root.appendChild(gce);
                if (first) {
                    IIOMetadataNode apps = new IIOMetadataNode("ApplicationExtensions");
                    IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
                    app.setAttribute("applicationID", "NETSCAPE");
                    app.setAttribute("authenticationCode", "2.0");
                    app.setUserObject(new byte[] {1, 0, 0});
                    apps.appendChild(app);
                    root.appendChild(apps);
                    first = false;
                }
                try {
                    meta.mergeTree(GIF_FORMAT, root);
                } catch (IIOInvalidTreeException e) {
                    throw new IOException("cannot write GIF metadata: " + e.getMessage(), e);
                }
                w.writeToSequence(new IIOImage(img, null, meta), p);
                progress.accept(i + 1);
            }
            w.endWriteSequence();
        } finally {
            w.dispose();
        }
    }
}
