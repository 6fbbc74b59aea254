package dev.vqclip.engine.run;

import dev.vqclip.engine.io.AtomicFiles;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** PNG files with text metadata (tEXt/iTXt chunks), so an image says how it was made. Written atomically. */
public final class PngFiles {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {
    }

    /** Writes the frame with the given key/value text chunks (UTF-8 values go into iTXt). */
    public static void write(Path file, Frame frame, Map<String, String> text) throws IOException {
        BufferedImage img = Images.toBufferedImage(frame);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            IIOMetadata md = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), null);
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
            md.mergeTree(FORMAT, root);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            AtomicFiles.write(file, stream -> {
                try (ImageOutputStream out = ImageIO.createImageOutputStream(stream)) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(img, null, md), null);
                }
            });
        } finally {
            writer.dispose();
        }
    }

    /** @return the text chunks of a PNG (tEXt, zTXt and iTXt) */
    public static Map<String, String> readText(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(file + ": not an image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                IIOMetadata md = reader.getImageMetadata(0);
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
        }
        return out;
    }
}
