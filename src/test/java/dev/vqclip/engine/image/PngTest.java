package dev.vqclip.engine.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one PNG writer and reader: UTF-8 iTXt out, tEXt/zTXt/iTXt in, alpha only where a frame has it. */
public class PngTest {
    /** @return the chunk types of a PNG in file order (IHDR, iTXt, IDAT, IEND, ...) */
    public static List<String> chunkTypes(byte[] png) {
        List<String> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(png);
        int at = 8;
        while (at + 8 <= png.length) {
            int len = b.getInt(at);
            out.add(new String(png, at + 4, 4, StandardCharsets.ISO_8859_1));
            at += 12 + len;
        }
        return out;
    }

    static Frame frame(int alpha) {
        int[] px = new int[6 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = alpha << 24 | i * 9 << 16 | (255 - i * 7) << 8 | i * 3;
        }
        return new Frame(6, 4, px);
    }

    @Test
    void textInThreeScriptsIsWrittenAsItxtAndReadsBackExactly(@TempDir Path tmp) throws Exception {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("vqclip.prompts", "猫 café ñ:1");
        text.put("Title", "emoji 😀, right-to-left \u0627, Latin-1 ß");
        Path file = tmp.resolve("sub/out.png");
        Png.write(file, frame(255), text);
        byte[] png = Files.readAllBytes(file);
        assertThat(chunkTypes(png)).startsWith("IHDR").contains("iTXt").doesNotContain("tEXt", "zTXt")
                .endsWith("IEND");
        assertThat(Png.readText(file)).isEqualTo(text);
        assertThat(Png.readText(png)).isEqualTo(text).containsEntry("vqclip.prompts", "猫 café ñ:1");
        assertThat(Images.read(file).argb()).isEqualTo(frame(255).argb());
    }

    @Test
    void anOpaqueFrameIsWrittenAsRgbAndATransparentOneKeepsItsAlpha() throws Exception {
        byte[] opaque = Png.encode(frame(255), Map.of());
        byte[] clear = Png.encode(frame(0x40), Map.of());
        assertThat(opaque[25]).as("colour type RGB").isEqualTo((byte) 2);
        assertThat(clear[25]).as("colour type RGBA").isEqualTo((byte) 6);
        assertThat(Images.decode(clear, "clear").argb()).isEqualTo(frame(0x40).argb());
        assertThat(Images.decode(opaque, "opaque").argb()).isEqualTo(frame(255).argb());
        assertThat(chunkTypes(opaque)).doesNotContain("iTXt", "tEXt");
        assertThat(Png.size(opaque, "opaque")).containsExactly(6, 4);
    }

    @Test
    void filesWrittenWithLatinOneTextChunksStillReadBack(@TempDir Path tmp) throws Exception {
        // what studio exports before issue 24 wrote: tEXt (Latin-1), read back beside iTXt
        ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            java.awt.image.BufferedImage img = Images.toBufferedImage(frame(255));
            IIOMetadata md = w.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), null);
            IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
            IIOMetadataNode t = new IIOMetadataNode("tEXt");
            IIOMetadataNode e = new IIOMetadataNode("tEXtEntry");
            e.setAttribute("keyword", "vqclip.prompts");
            e.setAttribute("value", "café ñ:1");
            t.appendChild(e);
            root.appendChild(t);
            md.mergeTree("javax_imageio_png_1.0", root);
            w.setOutput(out);
            w.write(null, new IIOImage(img, null, md), null);
        } finally {
            w.dispose();
        }
        byte[] png = bytes.toByteArray();
        assertThat(chunkTypes(png)).contains("tEXt");
        Path file = tmp.resolve("old.png");
        Files.write(file, png);
        assertThat(Png.readText(file)).containsEntry("vqclip.prompts", "café ñ:1");
        assertThat(Png.readText(png)).containsEntry("vqclip.prompts", "café ñ:1");
    }

    @Test
    void aKeyThatIsNoPngKeywordIsRefusedNamingIt() {
        assertThatThrownBy(() -> Png.encode(frame(255), Map.of("", "x"))).hasMessageContaining("cannot write PNG text");
        assertThatThrownBy(() -> Png.readText(new byte[] {1, 2, 3})).hasMessageContaining("not an image");
    }
}
