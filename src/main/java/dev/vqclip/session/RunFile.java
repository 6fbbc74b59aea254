package dev.vqclip.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.weights.DType;
import dev.vqclip.engine.weights.Npy;
import dev.vqclip.engine.weights.RawTensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The {@code .vqrun} file: one run's complete state, so a run can be resumed bit-exactly. A zip holding
 * <ul>
 * <li>{@code run.json}: {@code format} ("vqclip-run"), {@code version} ({@value #VERSION}), {@code step},
 * {@code shape} [1,C,H,W], {@code request} (every setting of the {@link GenerationRequest}; see {@link RequestJson}:
 * a prompt stop of −∞ is the string {@code "-inf"}), {@code models} (file name → sha256 as the caller gave them),
 * {@code modelFiles} (optional: per model file its {@code role}, the absolute {@code path} it was read from, its
 * {@code sha256} and {@code size}; see {@link ModelRecord}), {@code mask} and {@code original} (booleans: whether
 * those entries exist);</li>
 * <li>{@code z.npy}, {@code adam_m.npy}, {@code adam_v.npy}: float32, shape (1,C,H,W);</li>
 * <li>{@code mask.npy}: float32 (1,1,H,W), only when the run has a latent mask;</li>
 * <li>{@code original.npy}: float32 (1,C,H,W), only when the run keeps its original latent.</li>
 * </ul>
 * A session embeds many snapshots with {@link #writeTo}/{@link #readFrom} under different entry prefixes.
 * Files are untrusted: reading validates the format, version, entries, dtypes and shapes and reports problems as an
 * {@link IOException} whose message names the file and the problem.
 */
public final class RunFile {
    /** The format version this code writes and the newest it reads. */
    public static final int VERSION = 1;
    /** The value of {@code format} in {@code run.json}. */
    public static final String FORMAT = "vqclip-run";
    /** Largest {@code run.json} accepted. */
    private static final int MAX_JSON_BYTES = 4 << 20;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What a run file holds.
     *
     * @param snapshot the run state
     * @param models model file name → sha256, as written (empty when none were given)
     */
    public record Loaded(RunSnapshot snapshot, Map<String, String> models, List<ModelRecord> modelFiles,
                         Ensemble ensemble) {
        public Loaded {
            models = Map.copyOf(models);
            modelFiles = List.copyOf(modelFiles);
        }

        /** A run of one CLIP. */
        public Loaded(RunSnapshot snapshot, Map<String, String> models, List<ModelRecord> modelFiles) {
            this(snapshot, models, modelFiles, null);
        }

        /** A run without recorded model files. */
        public Loaded(RunSnapshot snapshot, Map<String, String> models) {
            this(snapshot, models, List.of());
        }
    }

    /**
     * The CLIP ensemble a run was guided by (run.json {@code ensemble}; absent for one CLIP).
     *
     * @param clipWeight the weight of the run's own CLIP (the {@code clip} model file)
     * @param clips the further CLIPs, in order
     */
    public record Ensemble(double clipWeight, List<EnsembleClip> clips) {
        public Ensemble {
            clips = List.copyOf(clips);
            if (!Double.isFinite(clipWeight) || clips.size() > 16) {
                throw new IllegalArgumentException("an ensemble needs a finite CLIP weight and at most 16 more CLIPs");
            }
        }
    }

    /**
     * One further CLIP of an ensemble.
     *
     * @param path the absolute path its weights were read from
     * @param sha256 their SHA-256
     * @param weight its weight
     */
    public record EnsembleClip(String path, String sha256, double weight) {
        public EnsembleClip {
            if (path == null || sha256 == null || !sha256.matches("[0-9a-f]{64}") || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("an ensemble CLIP needs a path, a SHA-256 and a finite weight");
            }
        }
    }

    /**
     * One model file a run was made with, so that resuming can find it again.
     *
     * @param role   what the file is: {@code vqgan}, {@code vqgan-config}, {@code clip} or {@code clip-vocab}
     * @param path   the absolute path it was read from
     * @param sha256 its SHA-256 (lower-case hex)
     * @param size   its size in bytes
     */
    public record ModelRecord(String role, String path, String sha256, long size) {
        public ModelRecord {
            if (role == null || path == null || sha256 == null || !sha256.matches("[0-9a-f]{64}") || size < 0) {
                throw new IllegalArgumentException("a model file record needs a role, a path, a SHA-256 and a size");
            }
        }
    }

    private RunFile() {
    }

    /**
     * Writes a run file atomically (temporary file in the same folder, then an atomic move): a failed write leaves a
     * previous file at {@code file} untouched.
     *
     * @param models model file name → sha256 (recorded, not checked here); may be empty
     */
    public static void write(Path file, RunSnapshot snapshot, Map<String, String> models) throws IOException {
        write(file, snapshot, models, List.of());
    }

    /**
     * {@link #write(Path, RunSnapshot, Map)} that also records where each model file was and its size, so that
     * {@code generate --resume} can find the same files without being told.
     */
    public static void write(Path file, RunSnapshot snapshot, Map<String, String> models, List<ModelRecord> files)
            throws IOException {
        write(file, snapshot, models, files, null);
    }

    /** The same for a run guided by a CLIP {@code ensemble} (null: one CLIP). */
    public static void write(Path file, RunSnapshot snapshot, Map<String, String> models, List<ModelRecord> files,
                             Ensemble ensemble) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            writeTo(zip, "", snapshot, models, files, ensemble);
            zip.finish();
        });
    }

    /**
     * Opens {@code file} as a zip archive.
     *
     * @param kind what the file should be, for the message when it is missing ("run file")
     * @param what the same with its article, for the message when it is no zip ("a .vqrun file")
     * @throws NoSuchFileException when it is not a regular file
     * @throws IOException naming the file when it is not a zip archive
     */
    static ZipFile openZip(Path file, String kind, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such " + kind);
        }
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + ": not " + what + " (not a zip archive)", e);
        }
    }

    /**
     * Reads and validates a run file.
     *
     * @throws IOException naming the file and the problem (not a zip, missing entry, wrong version, shapes...)
     */
    public static Loaded read(Path file) throws IOException {
        try (ZipFile zip = openZip(file, "run file", "a .vqrun file")) {
            return readFrom(zip, "", LoadBudget.forHeap(file.toString()));
        } catch (OutOfMemoryError e) {
            throw new IOException(file + ": not enough memory to read the run (the Java heap limit is "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)", e);
        }
    }

    /** Writes a snapshot without model information under {@code prefix} (e.g. {@code "history/3/"}). */
    public static void writeTo(ZipOutputStream zip, String prefix, RunSnapshot snapshot) throws IOException {
        writeTo(zip, prefix, snapshot, Map.of());
    }

    /** Writes a snapshot and the model map under {@code prefix}; the caller finishes the zip. */
    public static void writeTo(ZipOutputStream zip, String prefix, RunSnapshot s, Map<String, String> models)
            throws IOException {
        writeTo(zip, prefix, s, models, List.of());
    }

    /** Writes a snapshot, the model map and the model file records under {@code prefix}. */
    static void writeTo(ZipOutputStream zip, String prefix, RunSnapshot s, Map<String, String> models,
                        List<ModelRecord> files) throws IOException {
        writeTo(zip, prefix, s, models, files, null);
    }

    private static void writeTo(ZipOutputStream zip, String prefix, RunSnapshot s, Map<String, String> models,
                                List<ModelRecord> files, Ensemble ensemble) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", VERSION);
        o.put("step", s.step());
        ArrayNode shape = o.putArray("shape");
        for (long d : s.shape()) {
            shape.add(d);
        }
        o.set("request", RequestJson.write(s.request()));
        ObjectNode m = o.putObject("models");
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(models).entrySet()) {
            m.put(e.getKey(), e.getValue());
        }
        if (!files.isEmpty()) {
            ArrayNode fa = o.putArray("modelFiles");
            for (ModelRecord r : files) {
                fa.addObject().put("role", r.role()).put("path", r.path()).put("sha256", r.sha256())
                        .put("size", r.size());
            }
        }
        if (ensemble != null) {
            ObjectNode en = o.putObject("ensemble");
            en.put("clipWeight", ensemble.clipWeight());
            ArrayNode ca = en.putArray("clips");
            for (EnsembleClip c : ensemble.clips()) {
                ca.addObject().put("path", c.path()).put("sha256", c.sha256()).put("weight", c.weight());
            }
        }
        o.put("mask", s.mask() != null);
        o.put("original", s.original() != null);
        put(zip, prefix + "run.json", JSON.writeValueAsBytes(o));
        putNpy(zip, prefix + "z.npy", RawTensor.ofFloats(s.z(), s.shape()));
        putNpy(zip, prefix + "adam_m.npy", RawTensor.ofFloats(s.adamM(), s.shape()));
        putNpy(zip, prefix + "adam_v.npy", RawTensor.ofFloats(s.adamV(), s.shape()));
        if (s.mask() != null) {
            putNpy(zip, prefix + "mask.npy", RawTensor.ofFloats(s.mask().values(), 1, 1, s.rows(), s.cols()));
        }
        if (s.original() != null) {
            putNpy(zip, prefix + "original.npy", RawTensor.ofFloats(s.original(), s.shape()));
        }
    }

    /**
     * Reads a snapshot written by {@link #writeTo} under {@code prefix}.
     *
     * @throws IOException naming the zip file, the entry and the problem
     */
    public static Loaded readFrom(ZipFile zip, String prefix) throws IOException {
        return readFrom(zip, prefix, LoadBudget.forHeap(zip.getName()));
    }

    /**
     * {@link #readFrom(ZipFile, String)} taking the arrays' memory from {@code budget} before reading them. Besides
     * the format, the arrays are validated: z, the Adam moments and the original latent hold finite numbers, the
     * second moment is ≥ 0, the latent grid fits the request's image size, and the request's settings are within
     * their ranges ({@link GenerationRequest}); each refusal names the entry or field.
     */
    static Loaded readFrom(ZipFile zip, String prefix, LoadBudget budget) throws IOException {
        String where = zip.getName() + (prefix.isEmpty() ? "" : " [" + prefix + "]");
        JsonNode o;
        try {
            o = JSON.readTree(entryBytes(zip, prefix + "run.json", MAX_JSON_BYTES, where));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(where + ": run.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IOException(where + ": run.json is not a JSON object");
        }
        if (!FORMAT.equals(o.path("format").asText())) {
            throw new IOException(where + ": run.json is not a " + FORMAT + " file (format '"
                    + o.path("format").asText() + "')");
        }
        JsonNode v = o.get("version");
        if (v == null || !v.isIntegralNumber()) {
            throw new IOException(where + ": run.json has no version");
        }
        if (v.asInt() > VERSION || v.asInt() < 1) {
            throw new IOException(where + ": run file version " + v.asInt() + " is not supported (this program reads 1.."
                    + VERSION + ")");
        }
        try {
            int step = RequestJson.integer(o, "step", where + " run.json");
            if (step < 0) {
                throw new IllegalArgumentException(where + ": step must be ≥ 0, got " + step);
            }
            long[] shape = readShape(o, where);
            GenerationRequest request = RequestJson.read(o.get("request"), where + " run.json");
            if (shape[3] > request.width() || shape[2] > request.height()) {
                throw new IOException(where + ": run.json 'shape' " + Arrays.toString(shape) + " has more latent cells "
                        + "than the request's " + request.width() + "x" + request.height() + " image has pixels");
            }
            boolean hasMask = o.path("mask").asBoolean(false);
            boolean hasOriginal = o.path("original").asBoolean(false);
            long numel = shape[1] * shape[2] * shape[3];
            budget.reserve((numel * (3 + (hasOriginal ? 1 : 0)) + (hasMask ? shape[2] * shape[3] : 0)) * Float.BYTES,
                    numel * Float.BYTES * 2, prefix + "z.npy, adam_m.npy, adam_v.npy" + (hasMask ? ", mask.npy" : "")
                            + (hasOriginal ? ", original.npy" : "") + " (shape " + Arrays.toString(shape) + ")");
            Map<String, String> models = new LinkedHashMap<>();
            JsonNode mn = o.get("models");
            if (mn != null && mn.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = mn.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    models.put(e.getKey(), e.getValue().asText());
                }
            }
            float[] z = finite(floats(zip, prefix + "z.npy", shape, where), prefix + "z.npy", where, false);
            float[] am = finite(floats(zip, prefix + "adam_m.npy", shape, where), prefix + "adam_m.npy", where, false);
            float[] av = finite(floats(zip, prefix + "adam_v.npy", shape, where), prefix + "adam_v.npy", where, true);
            LatentMask mask = null;
            if (hasMask) {
                float[] mv = floats(zip, prefix + "mask.npy", new long[] {1, 1, shape[2], shape[3]}, where);
                try {
                    mask = new LatentMask((int) shape[2], (int) shape[3], mv);
                } catch (IllegalArgumentException e) {
                    throw new IOException(where + ": mask.npy: " + e.getMessage(), e);
                }
            }
            float[] original = hasOriginal
                    ? finite(floats(zip, prefix + "original.npy", shape, where), prefix + "original.npy", where, false)
                    : null;
            return new Loaded(new RunSnapshot(request, step, shape, z, am, av, mask, original), models,
                    modelFiles(o, where), ensemble(o, where));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage().startsWith(where) ? e.getMessage() : where + ": " + e.getMessage(), e);
        }
    }

    /** @return the {@code ensemble} record, or null when absent */
    private static Ensemble ensemble(JsonNode o, String where) throws IOException {
        JsonNode e = o.get("ensemble");
        if (e == null || e.isNull()) {
            return null;
        }
        JsonNode clips = e.get("clips");
        if (!e.isObject() || !e.path("clipWeight").isNumber() || clips == null || !clips.isArray()
                || clips.size() > 16) {
            throw new IOException(where + ": run.json 'ensemble' must hold a number 'clipWeight' and a list 'clips' of"
                    + " at most 16 records");
        }
        try {
            List<EnsembleClip> out = new ArrayList<>();
            for (JsonNode c : clips) {
                if (!c.path("weight").isNumber()) {
                    throw new IllegalArgumentException("an ensemble CLIP's 'weight' must be a number");
                }
                out.add(new EnsembleClip(c.path("path").textValue(), c.path("sha256").textValue(),
                        c.path("weight").asDouble()));
            }
            return new Ensemble(e.path("clipWeight").asDouble(), out);
        } catch (IllegalArgumentException ex) {
            throw new IOException(where + ": run.json 'ensemble': " + ex.getMessage(), ex);
        }
    }

    /** @return the {@code modelFiles} records (none when absent) */
    private static List<ModelRecord> modelFiles(JsonNode o, String where) throws IOException {
        JsonNode a = o.get("modelFiles");
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray() || a.size() > 16) {
            throw new IOException(where + ": run.json 'modelFiles' must be a list of at most 16 records");
        }
        List<ModelRecord> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode r = a.get(i);
            try {
                out.add(new ModelRecord(r.path("role").textValue(), r.path("path").textValue(),
                        r.path("sha256").textValue(), r.path("size").isIntegralNumber() ? r.path("size").asLong() : -1));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": run.json 'modelFiles' record " + i + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static long[] readShape(JsonNode o, String where) throws IOException {
        JsonNode s = o.get("shape");
        if (s == null || !s.isArray() || s.size() != 4) {
            throw new IOException(where + ": run.json 'shape' must be [1, C, H, W], got " + s);
        }
        long[] shape = new long[4];
        for (int i = 0; i < 4; i++) {
            if (!s.get(i).isIntegralNumber() || s.get(i).asLong() < 1 || s.get(i).asLong() > 1 << 16) {
                throw new IOException(where + ": run.json 'shape' has an impossible dimension: " + s);
            }
            shape[i] = s.get(i).asLong();
        }
        if (shape[0] != 1) {
            throw new IOException(where + ": run.json 'shape' must have batch 1, got " + s);
        }
        if (shape[1] * shape[2] * shape[3] > (1L << 28)) {
            throw new IOException(where + ": run.json 'shape' " + s + " is too large");
        }
        return shape;
    }

    /** @return {@code v} when every value is finite (and ≥ 0 with {@code nonNegative}); else names the entry */
    private static float[] finite(float[] v, String name, String where, boolean nonNegative) throws IOException {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i]) || nonNegative && v[i] < 0) {
                int bad = 0;
                for (float x : v) {
                    bad += !Float.isFinite(x) || nonNegative && x < 0 ? 1 : 0;
                }
                throw new IOException(where + ": " + name + " holds " + bad + " of " + v.length + " values that are "
                        + (nonNegative ? "negative or " : "") + "not finite (the first, at index " + i + ", is " + v[i]
                        + "); a run cannot continue from it");
            }
        }
        return v;
    }

    private static float[] floats(ZipFile zip, String name, long[] shape, String where) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IOException(where + ": missing entry " + name);
        }
        RawTensor t;
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        // never decompress more than the expected array could need (header ≤ 1 MiB): guards against zip bombs
        long limit = numel * 8 + (1 << 20) + 16;
        try (InputStream in = new LimitedInputStream(zip.getInputStream(e), limit)) {
            t = Npy.read(in, name);
        } catch (RuntimeException ex) {
            throw new IOException(where + ": " + ex.getMessage(), ex);
        } catch (java.util.zip.ZipException | java.io.EOFException ex) {
            throw corrupt(where, name, ex);
        }
        if (t.dtype() != DType.FLOAT32) {
            throw new IOException(where + ": " + name + " must be float32, got " + t.dtype());
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IOException(where + ": " + name + " has shape " + Arrays.toString(t.shape())
                    + " but run.json says " + Arrays.toString(shape));
        }
        return t.toFloatArray();
    }

    static byte[] entryBytes(ZipFile zip, String name, int max, String where) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IOException(where + ": missing entry " + name);
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new LoadBudget.LimitException(where + ": entry " + name + " is larger than " + max + " bytes");
            }
            return b;
        } catch (java.util.zip.ZipException | java.io.EOFException ex) {
            throw corrupt(where, name, ex);
        }
    }

    /** @return an error naming the file and entry for a zip-level failure ("invalid distance too far back"...) */
    static IOException corrupt(String where, String name, IOException cause) {
        return new IOException(where + ": entry " + name + " is corrupt (" + cause.getMessage() + ")", cause);
    }

    /** Reads at most {@code limit} bytes, then reports end of stream. */
    static final class LimitedInputStream extends java.io.FilterInputStream {
        private long left;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static void putNpy(ZipOutputStream zip, String name, RawTensor t) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16, t.numel() * 4 + 128));
        Npy.write(b, t);
        put(zip, name, b.toByteArray());
    }
}
