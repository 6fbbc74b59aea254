package dev.vqclip.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.RunFile;
import dev.vqclip.session.SessionData;
import dev.vqclip.session.SessionStore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The hostile files of issue 21, made by the tests themselves (nothing binary is checked in): a TorchScript archive
 * whose module graph doubles at every level, a session whose history entries all point at one huge PNG, and run
 * files with non-finite or out-of-range contents.
 */
public final class CraftedFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CraftedFiles() {
    }

    /**
     * A TorchScript archive (about 1.4 KB at depth 40) whose {@code data.pkl} builds {@code depth} levels of
     * {@code __torch__.M} modules; each level's attributes {@code a} and {@code b} are the same object (pickle memo),
     * and the innermost module holds one float tensor {@code weight}. Walking every attribute path takes
     * 2^depth steps; visiting each object once takes depth + 1.
     */
    public static Path sharedModuleGraph(Path file, int depth) throws IOException {
        if (depth < 1 || depth > 250) {
            throw new IllegalArgumentException("depth 1..250");
        }
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.writeBytes("c__torch__\nM\n".getBytes(StandardCharsets.US_ASCII));
        put(p, 0);
        // the innermost module: M() with state {"weight": tensor}
        get(p, 0);
        p.write(')');
        p.write(0x81);
        p.write('}');
        p.write('(');
        str(p, "weight");
        p.writeBytes("ctorch._utils\n_rebuild_tensor_v2\n".getBytes(StandardCharsets.US_ASCII));
        p.write('(');
        p.write('(');
        str(p, "storage");
        p.writeBytes("ctorch\nFloatStorage\n".getBytes(StandardCharsets.US_ASCII));
        str(p, "0");
        str(p, "cpu");
        p.write('K');
        p.write(4);
        p.write('t');
        p.write('Q');
        p.write('K');
        p.write(0);
        p.write('K');
        p.write(4);
        p.write(0x85);
        p.write('K');
        p.write(1);
        p.write(0x85);
        p.write(0x89);
        p.writeBytes("ccollections\nOrderedDict\n".getBytes(StandardCharsets.US_ASCII));
        p.write(')');
        p.write('R');
        p.write('t');
        p.write('R');
        p.write('u');
        p.write('b');
        put(p, 1);
        for (int level = 2; level <= depth + 1; level++) {
            get(p, 0);
            p.write(')');
            p.write(0x81);
            p.write('}');
            p.write('(');
            str(p, "a");
            get(p, level - 1);
            str(p, "b");
            get(p, level - 1);
            p.write('u');
            p.write('b');
            if (level <= depth) {
                put(p, level);
            }
        }
        p.write('.');
        byte[] storage = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3)
                .putFloat(4).array();
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            Zips.stored(zip, "m/data.pkl", p.toByteArray());
            Zips.stored(zip, "m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            Zips.stored(zip, "m/data/0", storage);
        }
        return file;
    }

    private static void str(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        p.writeBytes(b);
    }

    private static void put(ByteArrayOutputStream p, int memo) {
        p.write('q');
        p.write(memo);
    }

    private static void get(ByteArrayOutputStream p, int memo) {
        p.write('h');
        p.write(memo);
    }

    /** A 64x64 request with one prompt, as the small sessions and runs below use. */
    public static GenerationRequest smallRequest() {
        return GenerationRequest.defaults(List.of(new Prompt("a red circle", 1.0))).withSize(64, 64);
    }

    /** A snapshot of a 64x64 run on an f8 VQGAN: 4 channels of 8x8 cells, z a ramp, moments small. */
    public static RunSnapshot smallSnapshot(int step) {
        int n = 4 * 8 * 8;
        float[] z = new float[n];
        float[] m = new float[n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (i % 17) / 8f - 1f;
            m[i] = 1e-3f * (i % 5);
            v[i] = 1e-6f * (i % 3);
        }
        return new RunSnapshot(smallRequest(), step, new long[] {1, 4, 8, 8}, z, m, v, null, null);
    }

    /** A 64x64 frame of one colour per entry. */
    public static Frame smallFrame(int shade) {
        int[] px = new int[64 * 64];
        Arrays.fill(px, 0xff000000 | shade * 0x010203);
        return new Frame(64, 64, px);
    }

    /** A valid session of a 64x64 run with {@code entries} history entries. */
    public static Path smallSession(Path file, int entries) throws IOException {
        RunSnapshot s = smallSnapshot(10);
        List<HistoryEntry> h = new ArrayList<>();
        for (int i = 1; i <= entries; i++) {
            h.add(new HistoryEntry("h" + i, i == 1 ? null : "h" + (i - 1), "b1", 10 * i, null, 1000L * i,
                    smallSnapshot(10 * i), smallFrame(i)));
        }
        SessionStore.save(file, new SessionData(s.request(), List.of(new SessionData.PromptRow("a red circle", 1.0,
                Double.NEGATIVE_INFINITY)), s, smallFrame(0), h, "b1", null, null, Map.of("engine", "test")));
        return file;
    }

    /**
     * The session bomb: a 64x64 session (about 4 KB) whose 40 history entries share one snapshot and all name one
     * 8192x8192 PNG as their frame (a black image that deflates from 192 MiB of pixels to about 196 KB). Decoding
     * every entry's frame would need 40 × 256 MiB.
     */
    public static Path sessionBomb(Path file) throws IOException {
        Path valid = file.resolveSibling(file.getFileName() + ".valid.vqsession");
        smallSession(valid, 1);
        try (ZipFile in = new ZipFile(valid.toFile());
             OutputStream os = Files.newOutputStream(file); ZipOutputStream out = new ZipOutputStream(os)) {
            out.setLevel(Deflater.BEST_COMPRESSION);
            ObjectNode m = (ObjectNode) JSON.readTree(in.getInputStream(in.getEntry("manifest.json")));
            ObjectNode first = (ObjectNode) m.withArray("history").get(0);
            var history = m.putArray("history");
            for (int i = 1; i <= 40; i++) {
                ObjectNode n = first.deepCopy();
                n.put("id", "h" + i);
                n.put("parent", i == 1 ? null : "h" + (i - 1));
                n.put("snapshot", "history/h1/");
                n.put("frame", "big.png");
                history.add(n);
            }
            for (Enumeration<? extends ZipEntry> it = in.entries(); it.hasMoreElements(); ) {
                ZipEntry e = it.nextElement();
                if (!e.getName().equals("manifest.json") && !e.getName().startsWith("history/h1/frame")
                        && !e.getName().startsWith("history/h1/thumb")) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            out.putNextEntry(new ZipEntry("big.png"));
            blackPng(out, 8192, 8192);
            out.closeEntry();
            out.putNextEntry(new ZipEntry("manifest.json"));
            out.write(JSON.writeValueAsBytes(m));
            out.closeEntry();
        }
        Files.delete(valid);
        return file;
    }

    /** Writes a black RGB PNG of any size without holding its pixels: rows of zeros deflated as they are made. */
    public static void blackPng(OutputStream out, int width, int height) throws IOException {
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        pngChunk(out, "IHDR", ihdr.array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] row = new byte[1 + width * 3];
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        } finally {
            deflater.end();
        }
        pngChunk(out, "IDAT", idat.toByteArray());
        pngChunk(out, "IEND", new byte[0]);
    }

    /** Writes one PNG chunk: length, type, data and CRC. */
    public static void pngChunk(OutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A run file whose z and Adam moments are all NaN (its settings are valid). */
    public static Path nanRun(Path file) throws IOException {
        RunSnapshot s = smallSnapshot(10);
        float[] nan = new float[s.z().length];
        Arrays.fill(nan, Float.NaN);
        RunFile.write(file, new RunSnapshot(s.request(), s.step(), s.shape(), nan, nan.clone(), nan.clone(), null,
                null), Map.of());
        return file;
    }

    /** A valid run file whose {@code run.json} request then gets {@code field = value} (e.g. beta1 = 2147483648). */
    public static Path runWithSetting(Path file, String field, Object value) throws IOException {
        RunFile.write(file, smallSnapshot(10), Map.of());
        rewriteJson(file, "run.json", o -> ((ObjectNode) o.get("request")).set(field, JSON.valueToTree(value)));
        return file;
    }

    /** Rewrites the JSON object in the entry {@code name} of a zip file through {@code change}. */
    public static void rewriteJson(Path zipFile, String name, Consumer<ObjectNode> change) throws IOException {
        rewriteEntry(zipFile, name, bytes -> {
            try {
                ObjectNode o = (ObjectNode) JSON.readTree(bytes);
                change.accept(o);
                return JSON.writeValueAsBytes(o);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Replaces one entry of a zip file by {@code change(old bytes)}, keeping the others and their order. */
    public static void rewriteEntry(Path zipFile, String name, UnaryOperator<byte[]> change) throws IOException {
        Path tmp = Zips.copy(zipFile, zipFile.resolveSibling(zipFile.getFileName() + ".rewrite"),
                (entry, data) -> entry.equals(name) ? change.apply(data) : data);
        Files.move(tmp, zipFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
