package dev.vqclip.session;

import dev.vqclip.engine.run.Frame;
import dev.vqclip.engine.run.RunSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionStoreTest {
    @TempDir
    Path tmp;

    static Frame frame(int w, int h, int seed) {
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xff000000 | (i * 31 + seed * 7919) & 0xffffff;
        }
        return new Frame(w, h, px);
    }

    static SessionData session() {
        RunSnapshot s = RunFileTest.snapshot(true, false);
        HistoryEntry a = new HistoryEntry("h1", null, "b1", 17, "step 17", 1000L, s, frame(40, 24, 1));
        HistoryEntry b = new HistoryEntry("h2", "h1", "b1", 17, "paused at 17", 2000L, RunFileTest.snapshot(false, true),
                frame(200, 120, 2));
        HistoryEntry c = new HistoryEntry("h3", "h1", "b2", 17, null, 3000L, s, frame(40, 24, 3));
        Frame paint = new Frame(40, 24, new int[40 * 24]);
        paint.argb()[5] = 0x80ff0000;
        float[] mv = new float[40 * 24];
        mv[100] = 1f;
        mv[101] = 0.5f;
        return new SessionData(s.request(), List.of(new SessionData.PromptRow("a red apple", 1.0,
                Double.NEGATIVE_INFINITY), new SessionData.PromptRow("", -0.5, 0.3)), s, frame(40, 24, 9),
                List.of(a, b, c), "b2", paint, new PixelMask(40, 24, mv), Map.of("vqgan.ckpt", "ff00"));
    }

    @Test
    void roundTripKeepsEverything() throws IOException {
        SessionData d = session();
        Path f = tmp.resolve("s.vqsession");
        SessionStore.save(f, d);
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).isEmpty();
        SessionData r = l.data();
        assertThat(r.request()).isEqualTo(d.request());
        assertThat(r.promptRows()).isEqualTo(d.promptRows());
        RunFileTest.assertSameSnapshot(d.current(), r.current());
        assertThat(r.frame().argb()).isEqualTo(d.frame().argb());
        assertThat(r.paint().argb()).isEqualTo(d.paint().argb());
        assertThat(r.mask().values()).isEqualTo(d.mask().values());
        assertThat(r.branchId()).isEqualTo("b2");
        assertThat(r.models()).isEqualTo(d.models());
        assertThat(r.history()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            HistoryEntry e = d.history().get(i);
            HistoryEntry g = r.history().get(i);
            assertThat(g.id()).isEqualTo(e.id());
            assertThat(g.parentId()).isEqualTo(e.parentId());
            assertThat(g.branchId()).isEqualTo(e.branchId());
            assertThat(g.label()).isEqualTo(e.label());
            assertThat(g.createdMillis()).isEqualTo(e.createdMillis());
            assertThat(g.frame().argb()).isEqualTo(e.frame().argb());
            RunFileTest.assertSameSnapshot(e.snapshot(), g.snapshot());
        }
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertThat(Images.decode(z.getInputStream(z.getEntry("history/h2/thumb.png")).readAllBytes(), "thumb")
                    .width()).isEqualTo(HistoryEntry.THUMBNAIL_SIDE);
            assertThat(Images.decode(z.getInputStream(z.getEntry("history/h1/thumb.png")).readAllBytes(), "thumb")
                    .width()).isEqualTo(40);
        }
    }

    @Test
    void emptySessionRoundTrips() throws IOException {
        Path f = tmp.resolve("e.vqsession");
        SessionStore.save(f, SessionData.empty());
        SessionData r = SessionStore.load(f).data();
        assertThat(r.current()).isNull();
        assertThat(r.request()).isNull();
        assertThat(r.history()).isEmpty();
        assertThat(r.frame()).isNull();
    }

    @Test
    void failedSaveKeepsThePreviousFile() throws IOException {
        Path f = tmp.resolve("s.vqsession");
        SessionStore.save(f, session());
        byte[] before = Files.readAllBytes(f);
        SessionData d = session();
        SessionData bad = new SessionData(d.request(), d.promptRows(), d.current(), d.frame(),
                List.of(new HistoryEntry("../evil", null, "b1", 1, null, 0, d.current(), d.frame())), "b1", null, null,
                Map.of());
        assertThatThrownBy(() -> SessionStore.save(f, bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("s.vqsession").hasMessageContaining("not a safe name");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThat(SessionStore.load(f).data().history()).hasSize(3);
    }

    @Test
    void newerVersionIsRefusedClearly() throws IOException {
        Path f = edit("new", manifest("\"version\" : 2", "\"version\" : 5"));
        assertThatThrownBy(() -> SessionStore.load(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("new.vqsession").hasMessageContaining("version 5 was written by a newer program");
    }

    @Test
    void notAZipOrNoManifestIsReported() throws IOException {
        Path f = tmp.resolve("t.vqsession");
        Files.writeString(f, "not a zip");
        assertThatThrownBy(() -> SessionStore.load(f)).hasMessageContaining("t.vqsession")
                .hasMessageContaining("not a zip");
        Path g = edit("nomanifest", (n, d) -> n.equals("manifest.json") ? null : d);
        assertThatThrownBy(() -> SessionStore.load(g)).hasMessageContaining("missing entry manifest.json");
    }

    @Test
    void damagedHistoryEntryIsSkippedWithAWarning() throws IOException {
        Path f = edit("hist", (n, d) -> n.equals("history/h2/z.npy") ? null : d);
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.data().history()).extracting(HistoryEntry::id).containsExactly("h1", "h3");
        assertThat(l.warnings()).singleElement().asString().contains("h2").contains("missing entry history/h2/z.npy");
    }

    @Test
    void damagedCurrentRunFailsTheLoad() throws IOException {
        Path f = edit("cur", (n, d) -> n.equals("current/adam_m.npy") ? new byte[] {1, 2, 3} : d);
        assertThatThrownBy(() -> SessionStore.load(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("cur.vqsession").hasMessageContaining("not a .npy file");
    }

    @Test
    void olderManifestWithoutOptionalFieldsLoadsWithDefaults() throws IOException {
        Path f = edit("old", (n, d) -> {
            if (!n.equals("manifest.json")) {
                return d;
            }
            String s = new String(d, StandardCharsets.UTF_8);
            s = s.replaceAll("\"promptRows\" : \\[[^\\]]*\\],", "").replaceAll("\"parent\" : [^,]*,", "")
                    .replace("\"branch\" : \"b2\",", "");
            return s.getBytes(StandardCharsets.UTF_8);
        });
        SessionData r = SessionStore.load(f).data();
        assertThat(r.promptRows()).extracting(SessionData.PromptRow::text).containsExactly("a red apple",
                "blurry: out of focus");
        assertThat(r.history()).extracting(HistoryEntry::parentId).containsExactly(null, "h1", "h2");
        assertThat(r.branchId()).isEqualTo("b1");
    }

    @Test
    void pngTextMetadataRoundTrips() throws IOException {
        byte[] png = Images.encodePng(frame(8, 8, 3), Map.of("prompt", "a red apple:1", "seed", "42"));
        assertThat(Images.readPngText(png)).containsEntry("prompt", "a red apple:1").containsEntry("seed", "42");
        assertThat(Images.decode(png, "x").argb()).isEqualTo(frame(8, 8, 3).argb());
    }

    @Test
    void animatedGifHasEveryFrame() throws IOException {
        Path g = tmp.resolve("a.gif");
        Images.writeGif(g, List.of(frame(16, 16, 1), frame(16, 16, 2), frame(16, 16, 3)), 100);
        try (var in = javax.imageio.ImageIO.createImageInputStream(g.toFile())) {
            var r = javax.imageio.ImageIO.getImageReadersByFormatName("gif").next();
            r.setInput(in);
            assertThat(r.getNumImages(true)).isEqualTo(3);
        }
    }

    private static BiFunction<String, byte[], byte[]> manifest(String from, String to) {
        return (name, data) -> {
            if (!name.equals("manifest.json")) {
                return data;
            }
            String s = new String(data, StandardCharsets.UTF_8);
            assertThat(s).contains(from);
            return s.replace(from, to).getBytes(StandardCharsets.UTF_8);
        };
    }

    private Path edit(String name, BiFunction<String, byte[], byte[]> edit) throws IOException {
        Path good = tmp.resolve(name + "-good.vqsession");
        SessionStore.save(good, session());
        Path bad = tmp.resolve(name + ".vqsession");
        try (ZipFile in = new ZipFile(good.toFile()); OutputStream os = Files.newOutputStream(bad);
             ZipOutputStream out = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                byte[] data = edit.apply(e.getName(), in.getInputStream(e).readAllBytes());
                if (data != null) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(data);
                    out.closeEntry();
                }
            }
        }
        return bad;
    }
}
