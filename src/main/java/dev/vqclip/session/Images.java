package dev.vqclip.session;

import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.io.ImageDecoder;
import dev.vqclip.engine.run.Frame;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames to and from image files with {@code javax.imageio} (no JavaFX): PNG with {@code tEXt} metadata, animated
 * GIF, thumbnails. Decoding checks the image size before allocating pixels.
 */
public final class Images {
    /** Largest image decoded (pixels). */
    public static final long MAX_PIXELS = ImageDecoder.MAX_PIXELS;
    private static final String PNG_FORMAT = "javax_imageio_png_1.0";
    private static final String GIF_FORMAT = "javax_imageio_gif_image_1.0";

    private Images() {
    }

    public static BufferedImage toBufferedImage(Frame f) {
        BufferedImage img = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, f.width(), f.height(), f.argb(), 0, f.width());
        return img;
    }

    public static Frame fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        return new Frame(w, h, img.getRGB(0, 0, w, h, null, 0, w));
    }

    /** @return the frame as PNG bytes (lossless, alpha kept) */
    public static byte[] encodePng(Frame f) throws IOException {
        return encodePng(f, Map.of());
    }

    /** @return the frame as PNG bytes with one {@code tEXt} chunk per entry (Latin-1 keywords of 1..79 chars) */
    public static byte[] encodePng(Frame f, Map<String, String> text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        writePng(b, f, text);
        return b.toByteArray();
    }

    /** Writes a PNG with {@code tEXt} metadata to a stream. */
    public static void writePng(OutputStream out, Frame f, Map<String, String> text) throws IOException {
        BufferedImage img = toBufferedImage(f);
        ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            IIOMetadata meta = w.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), p);
            if (!text.isEmpty()) {
                IIOMetadataNode root = new IIOMetadataNode(PNG_FORMAT);
                IIOMetadataNode t = new IIOMetadataNode("tEXt");
                for (Map.Entry<String, String> e : text.entrySet()) {
                    IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("value", e.getValue());
                    t.appendChild(entry);
                }
                root.appendChild(t);
                try {
                    meta.mergeTree(PNG_FORMAT, root);
                } catch (IIOInvalidTreeException e) {
                    throw new IOException("cannot write PNG text metadata: " + e.getMessage(), e);
                }
            }
            w.write(null, new IIOImage(img, null, meta), p);
        } finally {
            w.dispose();
        }
    }

    /** @return the {@code tEXt} entries of a PNG, in file order */
    public static Map<String, String> readPngText(byte[] png) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        ImageReader r = ImageIO.getImageReadersByFormatName("png").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            r.setInput(in);
            IIOMetadata meta = r.getImageMetadata(0);
            org.w3c.dom.Node root = meta.getAsTree(PNG_FORMAT);
            for (org.w3c.dom.Node c = root.getFirstChild(); c != null; c = c.getNextSibling()) {
                if (c.getNodeName().equals("tEXt")) {
                    for (org.w3c.dom.Node e = c.getFirstChild(); e != null; e = e.getNextSibling()) {
                        IIOMetadataNode n = (IIOMetadataNode) e;
                        out.put(n.getAttribute("keyword"), n.getAttribute("value"));
                    }
                }
            }
        } finally {
            r.dispose();
        }
        return out;
    }

    /**
     * Decodes an image (PNG or anything ImageIO reads) to a frame of at most {@link #MAX_PIXELS} pixels.
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

    /** Length of the PNG signature plus the IHDR chunk up to the end of its height field. */
    static final int PNG_HEADER_BYTES = 24;

    /**
     * Reads the size of a PNG from its first {@link #PNG_HEADER_BYTES} bytes, without decoding anything.
     *
     * @return {width, height}
     * @throws IOException naming {@code where} when the bytes do not start a PNG with its IHDR chunk
     */
    static int[] pngSize(byte[] head, String where) throws IOException {
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        if (head.length < PNG_HEADER_BYTES || !java.util.Arrays.equals(head, 0, 8, sig, 0, 8)) {
            throw new IOException(where + ": not a PNG image");
        }
        if (head[12] != 'I' || head[13] != 'H' || head[14] != 'D' || head[15] != 'R') {
            throw new IOException(where + ": PNG without an IHDR chunk first");
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
        long w = b.getInt(16) & 0xffffffffL;
        long h = b.getInt(20) & 0xffffffffL;
        if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw new IOException(where + ": PNG header gives an impossible size " + w + "x" + h);
        }
        return new int[] {(int) w, (int) h};
    }

    /** @return the frame scaled down (area average) so its longer side is at most {@code maxSide} */
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

    /**
     * Writes frames as an animated GIF that loops forever (atomically).
     *
     * @param delayMillis time each frame is shown
     */
    public static void writeGif(Path file, List<Frame> frames, int delayMillis) throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("an animation needs at least one frame");
        }
        AtomicFiles.write(file, out -> writeGif(out, frames, delayMillis));
    }

    static void writeGif(OutputStream out, List<Frame> frames, int delayMillis) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            w.prepareWriteSequence(null);
            boolean first = true;
            for (Frame f : frames) {
                BufferedImage img = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_RGB);
                img.setRGB(0, 0, f.width(), f.height(), f.argb(), 0, f.width());
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
            }
            w.endWriteSequence();
        } finally {
            w.dispose();
        }
    }
}
