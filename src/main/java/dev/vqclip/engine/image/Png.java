package dev.vqclip.engine.image;

import dev.vqclip.engine.io.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * The one PNG writer and text reader: a frame (RGB when opaque, RGBA otherwise) with key/value text in UTF-8
 * {@code iTXt} chunks, so an image says how it was made in any script. Reading accepts {@code tEXt} (Latin-1, as older
 * studio exports wrote it), {@code zTXt} and {@code iTXt}. Files are written atomically.
 */
public final class Png {
    private static final String FORMAT = "javax_imageio_png_1.0";
    /** Length of the PNG signature plus the IHDR chunk up to the end of its height field. */
    public static final int HEADER_BYTES = 24;

    private Png() {
    }

    /** Writes the frame to a file (atomically, creating its folder) with one UTF-8 {@code iTXt} chunk per entry. */
    public static void write(Path file, Frame frame, Map<String, String> text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, out -> write(out, frame, text));
    }

    /** @return the frame as PNG bytes (lossless, alpha kept) with one UTF-8 {@code iTXt} chunk per entry */
    public static byte[] encode(Frame frame, Map<String, String> text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        write(b, frame, text);
        return b.toByteArray();
    }

    /**
     * Writes the frame as PNG to a stream with one UTF-8 {@code iTXt} chunk per entry.
     *
     * @throws IOException naming the key when it is not a PNG keyword (1 to 79 Latin-1 characters)
     */
    public static void write(OutputStream stream, Frame frame, Map<String, String> text) throws IOException {
        for (String key : text.keySet()) {
            checkKeyword(key);
        }
        BufferedImage img = Images.toBufferedImage(frame);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(stream)) {
            IIOMetadata md = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), null);
            if (!text.isEmpty()) {
                IIOMetadataNode root = new IIOMetadataNode(FORMAT);
                IIOMetadataNode itxt = new IIOMetadataNode("iTXt");
                for (Map.Entry<String, String> e : text.entrySet()) {
                    IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("compressionFlag", "FALSE");
                    entry.setAttribute("compressionMethod", "0");
                    entry.setAttribute("languageTag", "");
                    entry.setAttribute("translatedKeyword", "");
                    entry.setAttribute("text", e.getValue());
                    itxt.appendChild(entry);
                }
                root.appendChild(itxt);
                try {
                    md.mergeTree(FORMAT, root);
                } catch (IIOInvalidTreeException e) {
                    throw new IOException("cannot write PNG text metadata (keys " + text.keySet() + "): "
                            + e.getMessage(), e);
                }
            }
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, md), null);
        } finally {
            writer.dispose();
        }
    }

    private static void checkKeyword(String key) throws IOException {
        boolean ok = !key.isEmpty() && key.length() <= 79;
        for (int i = 0; ok && i < key.length(); i++) {
            char c = key.charAt(i);
            ok = c >= 32 && c <= 126 || c >= 161 && c <= 255;
        }
        if (!ok) {
            throw new IOException("cannot write PNG text metadata: key '" + key + "' is not a PNG keyword (1 to 79 "
                    + "printable Latin-1 characters)");
        }
    }

    /** @return the text chunks of a PNG file ({@code tEXt}, {@code zTXt} and {@code iTXt}), in that order */
    public static Map<String, String> readText(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException(file + ": cannot open the image");
            }
            return readText(in, file.toString());
        }
    }

    /** @return the text chunks of PNG bytes ({@code tEXt}, {@code zTXt} and {@code iTXt}), in that order */
    public static Map<String, String> readText(byte[] png) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            return readText(in, "PNG data");
        }
    }

    private static Map<String, String> readText(ImageInputStream in, String where) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new IOException(where + ": not an image");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in);
            IIOMetadata md = reader.getImageMetadata(0);
            if (!Arrays.asList(md.getMetadataFormatNames()).contains(FORMAT)) {
                return out;
            }
            IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(FORMAT);
            for (String kind : new String[] {"tEXtEntry", "zTXtEntry", "iTXtEntry"}) {
                var nodes = root.getElementsByTagName(kind);
                for (int i = 0; i < nodes.getLength(); i++) {
                    IIOMetadataNode n = (IIOMetadataNode) nodes.item(i);
                    String value = n.getAttribute(kind.equals("tEXtEntry") ? "value" : "text");
                    out.put(n.getAttribute("keyword"), value);
                }
            }
        } finally {
            reader.dispose();
        }
        return out;
    }

    /**
     * Reads the size of a PNG from its first {@link #HEADER_BYTES} bytes, without decoding anything.
     *
     * @return {width, height}
     * @throws IOException naming {@code where} when the bytes do not start a PNG with its IHDR chunk
     */
    public static int[] size(byte[] head, String where) throws IOException {
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        if (head.length < HEADER_BYTES || !Arrays.equals(head, 0, 8, sig, 0, 8)) {
            throw new IOException(where + ": not a PNG image");
        }
        if (head[12] != 'I' || head[13] != 'H' || head[14] != 'D' || head[15] != 'R') {
            throw new IOException(where + ": PNG without an IHDR chunk first");
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        long w = b.getInt(16) & 0xffffffffL;
        long h = b.getInt(20) & 0xffffffffL;
        if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw new IOException(where + ": PNG header gives an impossible size " + w + "x" + h);
        }
        return new int[] {(int) w, (int) h};
    }
}
