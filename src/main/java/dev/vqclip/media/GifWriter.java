package dev.vqclip.media;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.io.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.function.IntConsumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes frames as an animated GIF that loops forever (the JDK's own GIF writer; each frame gets its own palette).
 * Replaced atomically like every file the program writes.
 */
public final class GifWriter {
    private GifWriter() {
    }

    /** @param fps frames per second, 1..50 (GIF counts delays in hundredths of a second) */
    public static void write(Path out, FrameSource frames, int fps, IntConsumer progress) throws IOException {
        if (frames.count() < 1) {
            throw new IllegalArgumentException(out + ": an animation needs at least one frame");
        }
        if (fps < 1 || fps > 50) {
            throw new IllegalArgumentException(out + ": a GIF's frame rate must be 1..50, got " + fps);
        }
        int delay = Math.max(2, Math.round(100f / fps));
        AtomicFiles.write(out, os -> {
            Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("gif");
            if (!it.hasNext()) {
                throw new IOException("this Java has no GIF writer");
            }
            ImageWriter writer = it.next();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
                writer.setOutput(ios);
                writer.prepareWriteSequence(null);
                for (int i = 0; i < frames.count(); i++) {
                    BufferedImage img = rgb(frames.frame(i));
                    ImageWriteParam param = writer.getDefaultWriteParam();
                    IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
                    configure(md, delay, i == 0);
                    writer.writeToSequence(new IIOImage(img, null, md), param);
                    progress.accept(i + 1);
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
        });
    }

    private static BufferedImage rgb(Frame f) {
        BufferedImage src = Images.toBufferedImage(f);
        BufferedImage out = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(src, 0, 0, null);
        return out;
    }

    /** Frame delay, and on the first frame the NETSCAPE2.0 extension that makes viewers loop forever. */
    private static void configure(IIOMetadata md, int delay, boolean first) throws IOException {
        String format = md.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(format);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(delay));
        gce.setAttribute("transparentColorIndex", "0");
        if (first) {
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0}); // sub-block 1, loop count 0 = forever
            apps.appendChild(app);
        }
        md.setFromTree(format, root);
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) root.item(i);
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
