package dev.vqclip.engine.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files with {@code javax.imageio}, bounded: the size is read from the header and checked against the
 * caller's limits before any pixel is allocated, and neither an exception of the decoder nor an
 * {@link OutOfMemoryError} escapes: every failure is an {@link IOException} whose message starts with the file (and
 * entry) it was reading and says which limit was exceeded.
 */
public final class ImageDecoder {
    /** Most pixels any image may have (8192 × 8192: the largest run size). */
    public static final long MAX_PIXELS = 64L << 20;
    /** Longest side any image may have. */
    public static final int MAX_SIDE = 1 << 16;

    private ImageDecoder() {
    }

    /**
     * Reads an image file (PNG, JPEG, BMP, GIF) of at most {@link #MAX_PIXELS} pixels.
     *
     * @throws IOException naming the file when it is missing, not an image, damaged or too large
     */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such image file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException(file + ": cannot open the image");
            }
            return read(in, file.toString(), MAX_SIDE, MAX_SIDE);
        }
    }

    /**
     * Decodes an image held in memory.
     *
     * @param where names the file and entry in error messages
     * @param maxWidth widest image accepted
     * @param maxHeight tallest image accepted
     * @throws IOException starting with {@code where} when the data is not an image, is damaged or exceeds a limit
     */
    public static BufferedImage read(byte[] data, String where, int maxWidth, int maxHeight) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            return read(in, where, maxWidth, maxHeight);
        }
    }

    private static BufferedImage read(ImageInputStream in, String where, int maxWidth, int maxHeight)
            throws IOException {
        int w = -1;
        int h = -1;
        try {
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            if (!it.hasNext()) {
                throw new IOException(where + ": not an image file (PNG, JPEG, BMP or GIF expected)");
            }
            ImageReader r = it.next();
            try {
                r.setInput(in, true, true);
                w = r.getWidth(0);
                h = r.getHeight(0);
                checkSize(where, w, h, maxWidth, maxHeight);
                BufferedImage img = r.read(0);
                if (img.getWidth() != w || img.getHeight() != h) {
                    throw new IOException(where + ": decoded " + img.getWidth() + "x" + img.getHeight()
                            + " pixels but the header says " + w + "x" + h);
                }
                return img;
            } finally {
                r.dispose();
            }
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(where) ? e
                    : new IOException(where + ": cannot decode the image (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            throw new IOException(where + ": cannot decode the image (" + e + ")", e);
        } catch (OutOfMemoryError e) {
            throw new IOException(where + ": not enough memory to decode a " + w + "x" + h + " image (the Java heap "
                    + "limit is " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)", e);
        } catch (StackOverflowError e) {
            throw new IOException(where + ": cannot decode the image (nested too deeply)", e);
        }
    }

    /**
     * Checks an image size read from a header against the limits (and {@link #MAX_PIXELS}).
     *
     * @throws IOException starting with {@code where} and naming the size and the limit
     */
    public static void checkSize(String where, int w, int h, int maxWidth, int maxHeight) throws IOException {
        if (w <= 0 || h <= 0) {
            throw new IOException(where + ": image header gives an impossible size " + w + "x" + h);
        }
        if (w > maxWidth || h > maxHeight || (long) w * h > MAX_PIXELS) {
            throw new ImageTooLargeException(where + ": image of " + w + "x" + h + " pixels is larger than the limit "
                    + (w > maxWidth || h > maxHeight ? maxWidth + "x" + maxHeight
                    : MAX_PIXELS + " pixels") + " (refused before decoding)");
        }
    }

    /** An image's header gives a size beyond what the reader accepts; nothing was decoded. */
    public static final class ImageTooLargeException extends IOException {
        public ImageTooLargeException(String message) {
            super(message);
        }
    }
}
