package dev.vqclip.session;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.testing.Zips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.zip.ZipFile;

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
                Double.NEGATIVE_INFINITY), new SessionData.PromptRow("", -0.5, 0.3, false,
                        new dev.vqclip.engine.guide.PromptSpan(10, 40, 5)),
                new SessionData.PromptRow("blurry\nwatermark:2", -1, Double.NEGATIVE_INFINITY, true)), s,
                frame(40, 24, 9), List.of(a, b, c), "b2", paint, new PixelMask(40, 24, mv), Map.of("vqgan.ckpt", "ff00"),
                List.of(new SessionData.LossCurve("b1", "b1", new int[] {1, 2, 3}, new double[] {0.9, 0.7, 0.6}),
                        new SessionData.LossCurve("b2", "b2 from step 2", new int[] {3, 4},
                                new double[] {0.68, 0.5})));
    }

    /** Every ARGB value, including see-through pixels that still carry colour. */
    static Frame paintLayer(int w, int h, long seed) {
        java.util.Random r = new java.util.Random(seed);
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = i % 5 == 0 ? 0 : r.nextInt();
        }
        return new Frame(w, h, px);
    }

    static PixelMask maskLayer(int w, int h, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[w * h];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 4 == 0 ? 0f : i % 4 == 1 ? 1f : r.nextFloat();
        }
        v[3] = Float.MIN_VALUE;
        v[7] = Math.nextDown(1f);
        return new PixelMask(w, h, v);
    }

    /** A small session as the studio keeps it: two 40×24 entries, the current paint and mask. */
    static SessionData smallSession() {
        RunSnapshot s = RunFileTest.snapshot(true, false);
        HistoryEntry a = new HistoryEntry("h1", null, "b1", 17, "step 17", 1000L, s, frame(40, 24, 1));
        HistoryEntry b = new HistoryEntry("h2", "h1", "b1", 17, "paused at 17", 2000L, s, frame(40, 24, 2));
        return new SessionData(s.request(), List.of(new SessionData.PromptRow("a red apple", 1.0,
                Double.NEGATIVE_INFINITY)), s, frame(40, 24, 9), List.of(a, b), "b1", paintLayer(40, 24, 5),
                maskLayer(40, 24, 6), Map.of("vqgan.ckpt", "ff00"));
    }

    /**
     * Entries with every kind of layers: h1 both, h2 a paint of its own size only, h3 none, h4 not recorded, h5 the
     * same objects as h1 (and the current paint is h1's too).
     */
    static SessionData layeredSession() {
        RunSnapshot s = RunFileTest.snapshot(true, false);
        Frame paintA = paintLayer(40, 24, 11);
        PixelMask maskA = maskLayer(40, 24, 12);
        Layers a = new Layers(paintA, maskA);
        List<HistoryEntry> h = List.of(
                new HistoryEntry("h1", null, "b1", 17, null, 1000L, s, frame(40, 24, 1), a),
                new HistoryEntry("h2", "h1", "b1", 17, null, 2000L, RunFileTest.snapshot(false, true),
                        frame(200, 120, 2), new Layers(paintLayer(200, 120, 13), null)),
                new HistoryEntry("h3", "h2", "b1", 17, null, 3000L, s, frame(40, 24, 3), Layers.NONE),
                new HistoryEntry("h4", "h3", "b1", 17, null, 4000L, s, frame(40, 24, 4), null),
                new HistoryEntry("h5", "h4", "b1", 17, null, 5000L, s, frame(40, 24, 5), a));
        return new SessionData(s.request(), List.of(), s, frame(40, 24, 9), h, "b1", paintA, maskLayer(40, 24, 14),
                Map.of());
    }

    static void assertSameLayers(String what, Layers expected, Layers actual) {
        if (expected == null) {
            assertThat(actual).as(what + " layers").isNull();
            return;
        }
        assertThat(actual).as(what + " layers").isNotNull();
        if (expected.paint() == null) {
            assertThat(actual.paint()).as(what + " paint").isNull();
        } else {
            assertThat(actual.paint().width()).as(what + " paint width").isEqualTo(expected.paint().width());
            assertThat(actual.paint().argb()).as(what + " paint pixels").isEqualTo(expected.paint().argb());
        }
        if (expected.mask() == null) {
            assertThat(actual.mask()).as(what + " mask").isNull();
        } else {
            assertThat(actual.mask().width()).as(what + " mask width").isEqualTo(expected.mask().width());
            float[] e = expected.mask().values();
            float[] g = actual.mask().values();
            assertThat(g).as(what + " mask size").hasSize(e.length);
            for (int i = 0; i < e.length; i++) {
                assertThat(Float.floatToRawIntBits(g[i])).as(what + " mask value " + i)
                        .isEqualTo(Float.floatToRawIntBits(e[i]));
            }
        }
    }

    @Test
    void historyEntriesKeepTheirOwnPaintAndMaskExactly() throws IOException {
        SessionData d = layeredSession();
        Path f = tmp.resolve("layers.vqsession");
        SessionStore.Loaded l = saveAndLoad(f, d);
        assertThat(l.data().history()).hasSize(5);
        for (int i = 0; i < 5; i++) {
            HistoryEntry e = d.history().get(i);
            assertSameLayers(e.id(), e.layers(), l.data().history().get(i).layers());
            RunFileTest.assertSameSnapshot(e.snapshot(), l.data().history().get(i).snapshot());
        }
        assertThat(d.history().get(0).snapshot().mask()).as("h1 has a latent mask beside its pixel mask").isNotNull();
        assertSameLayers("current", new Layers(d.paint(), d.mask()), new Layers(l.data().paint(), l.data().mask()));
        try (ZipFile z = new ZipFile(f.toFile())) {
            String m = new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(m).contains("\"version\" : " + SessionStore.VERSION);
            assertThat(z.getEntry("history/h2/paint.png")).isNotNull();
            assertThat(z.getEntry("history/h2/pixel_mask.npy")).isNull();
            assertThat(z.getEntry("history/h3/paint.png")).isNull();
            assertThat(z.getEntry("history/h4/pixel_mask.npy")).isNull();
        }
    }

    @Test
    void aLayerSharedByEntriesIsStoredOnceAndComesBackShared() throws IOException {
        SessionData d = layeredSession();
        Path shared = tmp.resolve("shared.vqsession");
        SessionStore.save(shared, d);
        try (ZipFile z = new ZipFile(shared.toFile())) {
            assertThat(z.getEntry("paint.png")).as("the current paint").isNotNull();
            assertThat(z.getEntry("history/h1/paint.png")).as("h1's paint is the current paint").isNull();
            assertThat(z.getEntry("history/h1/pixel_mask.npy")).isNotNull();
            assertThat(z.getEntry("history/h5/paint.png")).as("h5 shares h1's layers").isNull();
            assertThat(z.getEntry("history/h5/pixel_mask.npy")).isNull();
        }
        SessionData r = SessionStore.load(shared).data();
        assertThat(r.history().get(4).layers().paint()).isSameAs(r.history().get(0).layers().paint())
                .isSameAs(r.paint());
        assertThat(r.history().get(4).layers().mask()).isSameAs(r.history().get(0).layers().mask());
        assertSameLayers("h5", d.history().get(4).layers(), r.history().get(4).layers());

        // the same content as separate objects is stored per entry: the sharing is what saves the space
        List<HistoryEntry> copies = new java.util.ArrayList<>();
        for (HistoryEntry e : d.history()) {
            Layers l = e.layers();
            copies.add(l == null ? e : e.withLayers(new Layers(l.paint() == null ? null : l.paint().copy(),
                    l.mask() == null ? null : new PixelMask(l.mask().width(), l.mask().height(), l.mask().values()))));
        }
        Path separate = tmp.resolve("separate.vqsession");
        SessionStore.save(separate, new SessionData(d.request(), d.promptRows(), d.current(), d.frame(), copies,
                d.branchId(), d.paint().copy(), d.mask(), d.models()));
        long a = Files.size(shared);
        long b = Files.size(separate);
        System.out.printf("session with shared layers: %d bytes, with the same layers as copies: %d bytes%n", a, b);
        assertThat(a).isLessThan(b);
        SessionData rs = SessionStore.load(separate).data();
        assertThat(rs.history().get(4).layers().paint()).isNotSameAs(rs.history().get(0).layers().paint());
        assertSameLayers("h5 (copies)", d.history().get(4).layers(), rs.history().get(4).layers());
    }

    @Test
    void versionOneFileFromTheOldCodeLoadsWithNoEntryLayers() throws Exception {
        Path f = tmp.resolve("v1.vqsession");
        try (var in = SessionStoreTest.class.getResourceAsStream("/session/v1.vqsession")) {
            assertThat(in).as("fixture session/v1.vqsession").isNotNull();
            Files.copy(in, f);
        }
        try (ZipFile z = new ZipFile(f.toFile())) {
            String m = new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(m).as("the fixture is a version-1 file").contains("\"version\" : 1");
        }
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).singleElement().asString().contains("older version (1)");
        SessionData d = smallSession();
        SessionData r = l.data();
        assertThat(r.history()).extracting(HistoryEntry::id).containsExactly("h1", "h2");
        assertThat(r.history()).allSatisfy(e -> assertThat(e.layers()).as(e.id() + " layers").isNull());
        assertThat(r.history().get(1).frame().argb()).isEqualTo(d.history().get(1).frame().argb());
        RunFileTest.assertSameSnapshot(d.history().get(0).snapshot(), r.history().get(0).snapshot());
        assertSameLayers("current", new Layers(d.paint(), d.mask()), new Layers(r.paint(), r.mask()));
        assertThat(r.request()).isEqualTo(d.request());

        // saved again it is a current-version file whose entries still have no recorded layers
        Path again = tmp.resolve("v1-again.vqsession");
        SessionStore.save(again, r);
        SessionStore.Loaded l2 = SessionStore.load(again);
        assertThat(l2.warnings()).isEmpty();
        assertThat(l2.data().history()).allSatisfy(e -> assertThat(e.layers()).isNull());
    }

    @Test
    void versionOneManifestWithLayerFieldsHasThemDroppedByTheMigration() throws IOException {
        Path f = edit("v1fields", layeredSession(),
                manifest("\"version\" : " + SessionStore.VERSION, "\"version\" : 1"));
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.data().history()).hasSize(5).allSatisfy(e -> assertThat(e.layers()).isNull());
        assertThat(l.data().paint()).as("the current layers were in version 1 already").isNotNull();
        assertThat(l.warnings()).singleElement().asString().contains("older version (1)");
    }

    @Test
    void damagedEntryLayerIsLeftOutWithAWarningAndTheRestLoads() throws IOException {
        SessionData d = layeredSession();
        Path f = edit("badlayer", d, (n, data) -> n.equals("history/h1/pixel_mask.npy") ? new byte[] {1, 2, 3}
                : n.equals("history/h2/paint.png") ? null : data);
        SessionStore.Loaded l = SessionStore.load(f);
        List<HistoryEntry> h = l.data().history();
        assertThat(h).extracting(HistoryEntry::id).containsExactly("h1", "h2", "h3", "h4", "h5");
        assertThat(l.warnings()).hasSize(3);
        assertThat(l.warnings().get(0)).contains("history entry 'h1'").contains("mask layer")
                .contains("history/h1/pixel_mask.npy").contains("not a .npy file");
        assertThat(l.warnings().get(1)).contains("history entry 'h2'").contains("paint layer")
                .contains("missing entry history/h2/paint.png");
        assertThat(l.warnings().get(2)).contains("history entry 'h5'").contains("mask layer");
        assertSameLayers("h1", new Layers(d.paint(), null), h.get(0).layers());
        assertSameLayers("h2", Layers.NONE, h.get(1).layers());
        assertSameLayers("h3", Layers.NONE, h.get(2).layers());
        assertSameLayers("h5", new Layers(d.paint(), null), h.get(4).layers());
        RunFileTest.assertSameSnapshot(d.history().get(1).snapshot(), h.get(1).snapshot());
        assertSameLayers("current", new Layers(d.paint(), d.mask()), new Layers(l.data().paint(), l.data().mask()));
    }

    @Test
    void entryLayerOfAnotherSizeThanItsImageIsLeftOut() throws IOException {
        Path f = edit("size", layeredSession(), manifest("\"paint\" : \"history/h2/paint.png\"",
                "\"paint\" : \"paint.png\""));
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).singleElement().asString().contains("history entry 'h2'")
                .contains("paint.png is 40x24 but its image is 200x120");
        assertThat(l.data().history().get(1).layers()).isEqualTo(Layers.NONE);
        assertThat(l.data().history().get(0).layers().paint()).isNotNull();
    }

    @Test
    void damagedCurrentLayersAreLeftOutWithAWarning() throws IOException {
        Path f = edit("badcurrent", session(), (n, data) -> n.equals("mask.npy") ? "junk".getBytes(
                StandardCharsets.UTF_8) : n.equals("paint.png") ? new byte[] {(byte) 0x89, 'P', 'N', 'G'} : data);
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.data().paint()).isNull();
        assertThat(l.data().mask()).isNull();
        assertThat(l.data().history()).hasSize(3);
        assertThat(l.warnings()).hasSize(2);
        assertThat(l.warnings().get(0)).contains("paint layer").contains("paint.png");
        assertThat(l.warnings().get(1)).contains("mask layer").contains("mask.npy");
    }

    @Test
    void maskEntryDeclaringMoreDataThanItHoldsIsLeftOut() throws IOException {
        byte[] header = ("\u0093NUMPY\u0001\u0000v\u0000"
                + "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 16384, 16384), }")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] npy = java.util.Arrays.copyOf(header, 128);
        java.util.Arrays.fill(npy, header.length, 127, (byte) ' ');
        npy[127] = '\n';
        Path f = edit("huge", layeredSession(), (n, data) -> n.equals("history/h1/pixel_mask.npy") ? npy : data);
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).isNotEmpty().first().asString().contains("history entry 'h1'")
                .contains("history/h1/pixel_mask.npy").contains("truncated");
        assertThat(l.data().history()).hasSize(5);
    }

    @Test
    void entryLayersMustFitTheirFrame() {
        RunSnapshot s = RunFileTest.snapshot(false, false);
        assertThatThrownBy(() -> new HistoryEntry("h1", null, "b1", 1, null, 0, s, frame(40, 24, 1),
                new Layers(null, maskLayer(20, 12, 1)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("h1").hasMessageContaining("mask 20x12").hasMessageContaining("40x24 frame");
    }

    @Test
    void roundTripKeepsEverything() throws IOException {
        SessionData d = session();
        Path f = tmp.resolve("s.vqsession");
        SessionStore.Loaded l = saveAndLoad(f, d);
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
    void lossCurvesAndTheNegativePromptRoundTrip() throws IOException {
        SessionData d = session();
        Path f = tmp.resolve("l.vqsession");
        SessionStore.Loaded l = saveAndLoad(f, d);
        List<SessionData.LossCurve> got = l.data().losses();
        assertThat(got).extracting(SessionData.LossCurve::branchId).containsExactly("b1", "b2");
        assertThat(got).extracting(SessionData.LossCurve::name).containsExactly("b1", "b2 from step 2");
        for (int i = 0; i < 2; i++) {
            assertThat(got.get(i).steps()).isEqualTo(d.losses().get(i).steps());
            assertThat(got.get(i).values()).isEqualTo(d.losses().get(i).values());
        }
        assertThat(l.data().promptRows().get(2).negative()).isTrue();
        assertThat(l.data().promptRows().get(2).text()).isEqualTo("blurry\nwatermark:2");
        assertThat(l.data().promptRows().get(0).negative()).isFalse();
    }

    @Test
    void aVersionTwoFileWithoutLossesStillOpensWithAnEmptyChart() throws IOException {
        // a version-2 manifest as the previous release wrote it: no "losses" (any such field is dropped)
        Path f = edit("v2", manifest("\"version\" : " + SessionStore.VERSION, "\"version\" : 2"));
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).singleElement().asString().contains("older version (2)");
        assertThat(l.data().losses()).isEmpty();
        assertThat(l.data().history()).hasSize(3);
        assertThat(l.data().promptRows().get(0).text()).isEqualTo("a red apple");
    }

    @Test
    void aDamagedLossCurveIsLeftOutWithAWarning() throws IOException {
        Path f = edit("badloss", manifest("\"values\" : [ 0.68, 0.5 ]", "\"values\" : [ 0.68, \"x\" ]"));
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).singleElement().asString()
                .contains("loss curve of branch 'b2'").contains("value 1 is \"x\"");
        assertThat(l.data().losses()).extracting(SessionData.LossCurve::branchId).containsExactly("b1");
        assertThat(l.data().history()).hasSize(3);
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
        Path f = edit("new", manifest("\"version\" : " + SessionStore.VERSION, "\"version\" : 5"));
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
        byte[] png = Png.encode(frame(8, 8, 3), Map.of("prompt", "a red apple:1", "seed", "42"));
        assertThat(Png.readText(png)).containsEntry("prompt", "a red apple:1").containsEntry("seed", "42");
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
        return Zips.replaceIn("manifest.json", from, to);
    }

    /** Saves {@code d} to {@code f} and loads it back, which must give no warnings. */
    private static SessionStore.Loaded saveAndLoad(Path f, SessionData d) throws IOException {
        SessionStore.save(f, d);
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).isEmpty();
        return l;
    }

    private Path edit(String name, BiFunction<String, byte[], byte[]> edit) throws IOException {
        return edit(name, session(), edit);
    }

    /** Saves {@code d}, then copies the file entry by entry through {@code edit} (null drops an entry). */
    private Path edit(String name, SessionData d, BiFunction<String, byte[], byte[]> edit) throws IOException {
        Path good = tmp.resolve(name + "-good.vqsession");
        SessionStore.save(good, d);
        return Zips.copy(good, tmp.resolve(name + ".vqsession"), edit);
    }
}
