package dev.vqclip.session;

import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.weights.Npy;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.testing.Zips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunFileTest {
    @TempDir
    Path tmp;

    static RunSnapshot snapshot(boolean withMask, boolean withOriginal) {
        Random r = new Random(42);
        long[] shape = {1, 4, 3, 5};
        int n = 60;
        float[] z = new float[n];
        float[] m = new float[n];
        float[] v = new float[n];
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) r.nextGaussian();
            m[i] = (float) r.nextGaussian() * 1e-3f;
            v[i] = r.nextFloat() * 1e-6f;
            o[i] = (float) r.nextGaussian();
        }
        z[0] = Float.MIN_VALUE;
        z[1] = -0.0f;
        float[] mv = new float[15];
        for (int i = 0; i < mv.length; i++) {
            mv[i] = i % 3 == 0 ? 0f : (i % 3 == 1 ? 1f : 0.25f);
        }
        GenerationRequest req = new GenerationRequest(
                List.of(new Prompt("a red apple", 1.0), new Prompt("blurry: out of focus", -0.5, 0.3)),
                List.of(new GenerationRequest.ImagePrompt(Path.of("/tmp/pic.png"), 0.7)), 40, 24, 123,
                -987654321012345L, 7, 1.5, 0.123456789, 0.85, 0.995, 0.2, 0.001,
                new Augmentations(true, false, true, false, true, 0.05), GenerationRequest.Init.NOISE, null, true);
        return new RunSnapshot(req, 17, shape, z, m, v, withMask ? new LatentMask(3, 5, mv) : null,
                withOriginal ? o : null);
    }

    static void assertSameSnapshot(RunSnapshot a, RunSnapshot b) {
        assertThat(b.request()).isEqualTo(a.request());
        assertThat(b.step()).isEqualTo(a.step());
        assertThat(b.shape()).containsExactly(a.shape());
        assertBits(a.z(), b.z());
        assertBits(a.adamM(), b.adamM());
        assertBits(a.adamV(), b.adamV());
        if (a.mask() == null) {
            assertThat(b.mask()).isNull();
        } else {
            assertBits(a.mask().values(), b.mask().values());
        }
        if (a.original() == null) {
            assertThat(b.original()).isNull();
        } else {
            assertBits(a.original(), b.original());
        }
    }

    static void assertBits(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.length; i++) {
            assertThat(Float.floatToRawIntBits(b[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(a[i]));
        }
    }

    @Test
    void roundTripIsBitExactWithMaskOriginalAndModels() throws IOException {
        RunSnapshot s = snapshot(true, true);
        Path f = tmp.resolve("r.vqrun");
        RunFile.write(f, s, Map.of("vqgan.ckpt", "ab12", "clip.pt", "cd34"));
        RunFile.Loaded l = RunFile.read(f);
        assertSameSnapshot(s, l.snapshot());
        assertThat(l.models()).containsExactlyInAnyOrderEntriesOf(Map.of("vqgan.ckpt", "ab12", "clip.pt", "cd34"));
        assertThat(l.snapshot().request().prompts().get(0).stop()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void roundTripWithoutOptionalEntries() throws IOException {
        RunSnapshot s = snapshot(false, false);
        Path f = tmp.resolve("r.vqrun");
        RunFile.write(f, s, Map.of());
        assertSameSnapshot(s, RunFile.read(f).snapshot());
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertThat(z.getEntry("mask.npy")).isNull();
            assertThat(z.getEntry("original.npy")).isNull();
        }
    }

    @Test
    void writesNegativeInfinityStopAsString() throws IOException {
        Path f = tmp.resolve("r.vqrun");
        RunFile.write(f, snapshot(false, false), Map.of());
        try (ZipFile z = new ZipFile(f.toFile())) {
            String json = new String(z.getInputStream(z.getEntry("run.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"stop\" : \"-inf\"").contains("\"version\" : 1");
        }
    }

    @Test
    void manySnapshotsCanShareOneZipUnderPrefixes() throws IOException {
        Path f = tmp.resolve("many.zip");
        RunSnapshot a = snapshot(true, false);
        RunSnapshot b = snapshot(false, true);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(f))) {
            RunFile.writeTo(zip, "h/1/", a);
            RunFile.writeTo(zip, "h/2/", b);
        }
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertSameSnapshot(a, RunFile.readFrom(z, "h/1/").snapshot());
            assertSameSnapshot(b, RunFile.readFrom(z, "h/2/").snapshot());
        }
    }

    @Test
    void notAZipIsReportedWithTheFileName() throws IOException {
        Path f = tmp.resolve("junk.vqrun");
        Files.writeString(f, "hello, I am text");
        assertThatThrownBy(() -> RunFile.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("junk.vqrun").hasMessageContaining("not a zip");
    }

    @Test
    void missingFileIsReported() {
        assertThatThrownBy(() -> RunFile.read(tmp.resolve("nope.vqrun"))).isInstanceOf(IOException.class)
                .hasMessageContaining("nope.vqrun");
    }

    @Test
    void missingEntriesAreNamed() throws IOException {
        for (String entry : List.of("run.json", "z.npy", "adam_m.npy", "adam_v.npy", "mask.npy", "original.npy")) {
            Path f = corrupt("missing-" + entry, (name, data) -> name.equals(entry) ? null : data);
            assertThatThrownBy(() -> RunFile.read(f)).as(entry).isInstanceOf(IOException.class)
                    .hasMessageContaining(f.getFileName().toString()).hasMessageContaining("missing entry " + entry);
        }
    }

    @Test
    void newerVersionIsRefused() throws IOException {
        Path f = corrupt("v9", jsonEdit("\"version\" : 1", "\"version\" : 9"));
        assertThatThrownBy(() -> RunFile.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("version 9 is not supported");
    }

    @Test
    void wrongFormatIsRefused() throws IOException {
        Path f = corrupt("fmt", jsonEdit("vqclip-run", "something-else"));
        assertThatThrownBy(() -> RunFile.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a vqclip-run file");
    }

    @Test
    void brokenJsonIsReported() throws IOException {
        Path f = corrupt("json", (name, data) -> name.equals("run.json") ? "{\"format\": ".getBytes() : data);
        assertThatThrownBy(() -> RunFile.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("run.json is not valid JSON");
    }

    @Test
    void shapeThatDisagreesWithJsonIsNamed() throws IOException {
        byte[] wrong = npy(RawTensor.ofFloats(new float[60], 1, 4, 5, 3));
        Path f = corrupt("shape", (name, data) -> name.equals("adam_v.npy") ? wrong : data);
        assertThatThrownBy(() -> RunFile.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("adam_v.npy has shape [1, 4, 5, 3] but run.json says [1, 4, 3, 5]");
    }

    @Test
    void maskWithWrongShapeOrValuesIsRefused() throws IOException {
        Path f = corrupt("maskshape", (name, data) -> name.equals("mask.npy")
                ? npy(RawTensor.ofFloats(new float[15], 1, 1, 5, 3)) : data);
        assertThatThrownBy(() -> RunFile.read(f)).hasMessageContaining("mask.npy has shape");
        float[] bad = new float[15];
        bad[3] = 7f;
        Path g = corrupt("maskvalues", (name, data) -> name.equals("mask.npy")
                ? npy(RawTensor.ofFloats(bad, 1, 1, 3, 5)) : data);
        assertThatThrownBy(() -> RunFile.read(g)).isInstanceOf(IOException.class)
                .hasMessageContaining("mask.npy").hasMessageContaining("[0,1]");
    }

    @Test
    void wrongDtypeAndTruncatedArraysAreRefused() throws IOException {
        Path f = corrupt("dtype", (name, data) -> name.equals("z.npy")
                ? npy(new RawTensor(dev.vqclip.engine.weights.DType.FLOAT64, new long[] {1, 4, 3, 5},
                java.nio.ByteBuffer.allocate(480))) : data);
        assertThatThrownBy(() -> RunFile.read(f)).hasMessageContaining("z.npy must be float32");
        Path g = corrupt("trunc", (name, data) -> name.equals("z.npy") ? java.util.Arrays.copyOf(data, data.length - 9)
                : data);
        assertThatThrownBy(() -> RunFile.read(g)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
    }

    @Test
    void invalidRequestIsReported() throws IOException {
        Path f = corrupt("req", jsonEdit("\"cutouts\" : 7", "\"cutouts\" : 0"));
        assertThatThrownBy(() -> RunFile.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("cutouts must be 1..1024");
        Path g = corrupt("req2", jsonEdit("\"width\" : 40,", ""));
        assertThatThrownBy(() -> RunFile.read(g)).hasMessageContaining("field 'width' is missing");
    }

    @Test
    void failedWriteKeepsThePreviousFile() throws IOException {
        Path f = tmp.resolve("keep.vqrun");
        RunSnapshot s = snapshot(true, true);
        RunFile.write(f, s, Map.of());
        byte[] before = Files.readAllBytes(f);
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessageContaining("keep.vqrun").hasMessageContaining("disk full");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.vqrun");
        }
    }

    @Test
    void arrayLargerThanRunJsonSaysIsRefusedWithoutReadingIt() throws IOException {
        // an npy header claiming a huge array: the reader must not trust it
        byte[] big = npy(RawTensor.ofFloats(new float[4 * 3 * 150_000], 1, 4, 3, 150_000));
        Path f = corrupt("big", (name, data) -> name.equals("z.npy") ? big : data);
        assertThatThrownBy(() -> RunFile.read(f)).isInstanceOf(IOException.class).hasMessageContaining("z.npy")
                .hasMessageContaining("truncated");
    }

    private static BiFunction<String, byte[], byte[]> jsonEdit(String from, String to) {
        return Zips.replaceIn("run.json", from, to);
    }

    private static byte[] npy(RawTensor t) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            Npy.write(b, t);
            return b.toByteArray();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Writes a good file, then copies it entry by entry through {@code edit} (null drops the entry). */
    private Path corrupt(String name, BiFunction<String, byte[], byte[]> edit) throws IOException {
        Path good = tmp.resolve(name + "-good.vqrun");
        RunFile.write(good, snapshot(true, true), Map.of("m", "x"));
        return Zips.copy(good, tmp.resolve(name + ".vqrun"), edit);
    }
}
