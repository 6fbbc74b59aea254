package dev.vqclip.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptSpan;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.ImageDecoder;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.weights.DType;
import dev.vqclip.engine.weights.Npy;
import dev.vqclip.engine.weights.RawTensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The studio's {@code .vqsession} file: a zip with a versioned {@code manifest.json} and the data it points to.
 * <pre>
 * manifest.json            format "vqclip-session", version, saved, request (or null), promptRows, branch,
 *                          current/frame/paint/mask entry names (or null), models, history[] (id, parent, branch,
 *                          step, label, created, snapshot prefix, frame and thumbnail entries, and since version 2
 *                          paint/mask entry names or null), and since version 3 losses[] (branch, name, steps[],
 *                          values[]: the loss chart's curve of each branch)
 * current/run.json …       the current run state, in the {@link RunFile} layout under a prefix
 * frame.png                the image on the canvas
 * paint.png                the paint layer (ARGB)
 * mask.npy                 the pixel mask layer, float32 (1,1,H,W)
 * history/&lt;id&gt;/…          each snapshot ({@link RunFile} layout, whose mask.npy is the latent mask), frame.png and
 *                          thumb.png, and (version 2) the entry's own layers paint.png and pixel_mask.npy, encoded
 *                          like the top-level paint.png and mask.npy
 * </pre>
 * A history entry whose layers were recorded ({@link HistoryEntry#layers()} not null) has both {@code paint} and
 * {@code mask} fields, each an entry name or null for "no such layer"; an entry without recorded layers has neither
 * field. A layer that is the same object as one already written (the previous entry's, or the current layer) is
 * stored once and both fields name the same zip entry; reading gives them back as one shared object.
 * <p>
 * Saving is atomic (a failed save leaves the previous file as it was). Loading is tolerant: unknown fields are
 * ignored, missing optional fields get defaults, older versions are migrated by {@link #migrate}, a damaged
 * history entry is skipped with a warning instead of losing the session, and a damaged layer (the current one or an
 * entry's) is left out with a warning while the rest loads. A newer version, a damaged manifest or a damaged current
 * run is an {@link IOException} naming the file and the problem.
 */
public final class SessionStore {
    /** The manifest version this code writes and the newest it reads. */
    public static final int VERSION = 4;
    /** Most points one loss curve may hold in a file (the studio keeps far fewer). */
    static final int MAX_LOSS_POINTS = 1 << 20;
    /** The manifest's {@code format}. */
    public static final String FORMAT = "vqclip-session";
    /** File name extension, with the dot. */
    public static final String EXTENSION = ".vqsession";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_MANIFEST = 16 << 20;
    private static final int MAX_PNG = 256 << 20;
    /** A mask entry holds at most as many float32 values as an image may have pixels, plus the .npy header. */
    private static final long MAX_MASK_BYTES = Images.MAX_PIXELS * Float.BYTES + 65_536;
    /** Largest side of any image in a session: the largest run size. */
    static final int MAX_SIDE = 8192;
    /** Most history entries (and prompt rows) a session may list. */
    static final int MAX_ENTRIES = 10_000;
    /** Most pixels per latent cell side (VQGANs use 8 or 16). */
    static final int MAX_FACTOR = 64;

    /**
     * A loaded session.
     *
     * @param data what the file holds
     * @param warnings problems that were worked around (e.g. a damaged history entry that was skipped)
     */
    public record Loaded(SessionData data, List<String> warnings) {
        public Loaded {
            warnings = List.copyOf(warnings);
        }
    }

    private SessionStore() {
    }

    /** @return where autosave keeps the recovery copy ({@code ~/.vqclip/recovery.vqsession}, or under {@code -Dvqclip.home}) */
    public static Path recoveryFile() {
        String home = System.getProperty("vqclip.home", System.getProperty("user.home") + "/.vqclip");
        return Path.of(home).resolve("recovery" + EXTENSION);
    }

    /** Saves atomically; on failure the previous file at {@code file} is kept unchanged. */
    public static void save(Path file, SessionData d) throws IOException {
        save(file, d, n -> { });
    }

    /**
     * Saves atomically, reporting each history entry written; on failure the previous file at {@code file} is kept
     * unchanged. A progress callback that throws (a cancelled save) stops the save there: nothing is replaced.
     *
     * @param progress called with the number of history entries written so far (of {@code d.history().size()})
     */
    public static void save(Path file, SessionData d, IntConsumer progress) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            write(zip, d, progress);
            zip.finish();
        });
    }

    private static void write(ZipOutputStream zip, SessionData d, IntConsumer progress) throws IOException {
        ObjectNode m = RunFile.JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("saved", Instant.now().toString());
        m.set("request", d.request() == null ? null : RequestJson.write(d.request()));
        ArrayNode rows = m.putArray("promptRows");
        for (SessionData.PromptRow r : d.promptRows()) {
            ObjectNode n = rows.addObject();
            n.put("text", r.text());
            RequestJson.putDouble(n, "weight", r.weight());
            RequestJson.putDouble(n, "stop", r.stop());
            RequestJson.putSpan(n, r.span());
            if (r.negative()) {
                n.put("negative", true);
            }
        }
        m.put("branch", d.branchId());
        ObjectNode models = m.putObject("models");
        d.models().forEach(models::put);
        if (d.current() != null) {
            RunFile.writeTo(zip, "current/", d.current(), d.models());
            m.put("current", "current/");
        } else {
            m.putNull("current");
        }
        putPng(zip, m, "frame", "frame.png", d.frame());
        Map<Object, String> written = new IdentityHashMap<>();
        putLayers(zip, m, "paint.png", "mask.npy", new Layers(d.paint(), d.mask()), written);
        ArrayNode hist = m.putArray("history");
        for (HistoryEntry e : d.history()) {
            if (!SAFE_ID.matcher(e.id()).matches()) {
                throw new IllegalArgumentException("history id '" + e.id() + "' is not a safe name");
            }
            String prefix = "history/" + e.id() + "/";
            ObjectNode n = hist.addObject();
            n.put("id", e.id());
            n.put("parent", e.parentId());
            n.put("branch", e.branchId());
            n.put("step", e.step());
            n.put("label", e.label());
            n.put("created", e.createdMillis());
            n.put("snapshot", prefix);
            n.put("frame", prefix + "frame.png");
            n.put("thumbnail", prefix + "thumb.png");
            if (e.layers() != null) {
                putLayers(zip, n, prefix + "paint.png", prefix + "pixel_mask.npy", e.layers(), written);
            }
            RunFile.writeTo(zip, prefix, e.snapshot());
            RunFile.put(zip, prefix + "frame.png", Png.encode(e.frame(), Map.of()));
            RunFile.put(zip, prefix + "thumb.png", Png.encode(e.thumbnail(), Map.of()));
            progress.accept(hist.size());
        }
        ArrayNode losses = m.putArray("losses");
        for (SessionData.LossCurve c : d.losses()) {
            ObjectNode n = losses.addObject();
            n.put("branch", c.branchId());
            n.put("name", c.name());
            ArrayNode steps = n.putArray("steps");
            ArrayNode values = n.putArray("values");
            for (int i = 0; i < c.steps().length; i++) {
                if (Double.isFinite(c.values()[i])) {
                    steps.add(c.steps()[i]);
                    values.add(c.values()[i]);
                }
            }
        }
        AnimationJson.write(zip, m, d.animation());
        RunFile.put(zip, "manifest.json", RunFile.JSON.writeValueAsBytes(m));
    }

    /**
     * Writes the layers as {@code paintName} and {@code maskName} and names them in {@code n}'s {@code paint} and
     * {@code mask} fields (null when absent). A layer object already in {@code written} is not stored again: the field names the
     * earlier zip entry.
     */
    private static void putLayers(ZipOutputStream zip, ObjectNode n, String paintName, String maskName, Layers l,
                                  Map<Object, String> written) throws IOException {
        putOnce(zip, n, "paint", paintName, l.paint(), () -> Png.encode(l.paint(), Map.of()), written);
        putOnce(zip, n, "mask", maskName, l.mask(), () -> {
            PixelMask pm = l.mask();
            ByteArrayOutputStream b = new ByteArrayOutputStream(
                    (int) Math.min(Integer.MAX_VALUE - 256, (long) pm.width() * pm.height() * Float.BYTES + 128));
            Npy.write(b, RawTensor.ofFloats(pm.values(), 1, 1, pm.height(), pm.width()));
            return b.toByteArray();
        }, written);
    }

    private interface Bytes {
        byte[] get() throws IOException;
    }

    /** Writes {@code layer} as {@code entry} unless that object was written before, and names it in {@code field}. */
    private static void putOnce(ZipOutputStream zip, ObjectNode n, String field, String entry, Object layer,
                                Bytes bytes, Map<Object, String> written) throws IOException {
        if (layer == null) {
            n.putNull(field);
            return;
        }
        String name = written.get(layer);
        if (name == null) {
            name = entry;
            RunFile.put(zip, name, bytes.get());
            written.put(layer, name);
        }
        n.put(field, name);
    }

    private static void putPng(ZipOutputStream zip, ObjectNode m, String key, String entry, Frame f)
            throws IOException {
        if (f == null) {
            m.putNull(key);
            return;
        }
        RunFile.put(zip, entry, Png.encode(f, Map.of()));
        m.put(key, entry);
    }

    /**
     * Loads a session file.
     *
     * @throws IOException naming the file and the problem; nothing else is affected (the caller keeps what is open)
     */
    public static Loaded load(Path file) throws IOException {
        try (ZipFile zip = RunFile.openZip(file, "session file", "a session file")) {
            return read(zip, file.toString());
        } catch (RuntimeException e) {
            throw new IOException(file + ": damaged session: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new IOException(file + ": not enough memory to load the session (the Java heap limit is "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)", e);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            throw m.startsWith(file.toString()) ? e : new IOException(file + ": " + m, e);
        }
    }

    private static Loaded read(ZipFile zip, String where) throws IOException {
        JsonNode root;
        try {
            root = RunFile.JSON.readTree(RunFile.entryBytes(zip, "manifest.json", MAX_MANIFEST, where));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(where + ": manifest.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException(where + ": not a " + FORMAT + " file (manifest format '"
                    + (root == null ? "" : root.path("format").asText()) + "')");
        }
        int version = root.path("version").asInt(-1);
        if (version < 1) {
            throw new IOException(where + ": manifest.json has no valid version");
        }
        if (version > VERSION) {
            throw new IOException(where + ": session version " + version + " was written by a newer program (this one"
                    + " reads up to " + VERSION + ")");
        }
        List<String> warnings = new ArrayList<>();
        ObjectNode m = migrate((ObjectNode) root, version, warnings);
        String mw = where + " manifest.json";
        for (String list : List.of("history", "promptRows")) {
            if (m.path(list).size() > MAX_ENTRIES) {
                throw new LoadBudget.LimitException(mw + ": '" + list + "' lists " + m.path(list).size()
                        + " entries, more than the limit of " + MAX_ENTRIES);
            }
        }
        LoadBudget budget = LoadBudget.forHeap(where);
        Map<String, Frame> frames = new HashMap<>();
        Map<String, RunSnapshot> snapshots = new HashMap<>();

        GenerationRequest request = null;
        JsonNode rq = m.get("request");
        if (rq != null && !rq.isNull()) {
            try {
                request = RequestJson.read(rq, mw);
            } catch (IllegalArgumentException e) {
                warnings.add("settings could not be read and were reset: " + e.getMessage());
            }
        }
        List<SessionData.PromptRow> rows = new ArrayList<>();
        int row = 0;
        for (JsonNode n : m.path("promptRows")) {
            JsonNode stop = n.get("stop");
            double weight = n.has("weight") ? RequestJson.readDouble(n, "weight", mw) : 1.0;
            double stopAt = stop == null || stop.isNull() ? Double.NEGATIVE_INFINITY
                    : RequestJson.readDouble(n, "stop", mw);
            if (!Double.isFinite(weight)) {
                warnings.add("promptRows[" + row + "].weight " + weight + " is not a finite number; set to 1");
                weight = 1.0;
            }
            if (Double.isNaN(stopAt) || stopAt == Double.POSITIVE_INFINITY) {
                warnings.add("promptRows[" + row + "].stop " + stopAt + " is not a number or -inf; removed");
                stopAt = Double.NEGATIVE_INFINITY;
            }
            PromptSpan span = PromptSpan.ALWAYS;
            try {
                span = RequestJson.span(n, "promptRows[" + row + "]");
            } catch (IllegalArgumentException e) {
                warnings.add(e.getMessage() + "; the prompt acts at every step");
            }
            rows.add(new SessionData.PromptRow(n.path("text").asText(""), weight, stopAt,
                    n.path("negative").asBoolean(false), span));
            row++;
        }
        if (rows.isEmpty() && request != null) {
            for (Prompt p : request.prompts()) {
                rows.add(new SessionData.PromptRow(p.text(), p.weight(), p.stop(), false, p.span()));
            }
        }
        Map<String, String> models = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.path("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            models.put(e.getKey(), e.getValue().asText());
        }
        RunSnapshot current = null;
        String cur = textOrNull(m, "current");
        if (cur != null) {
            current = RunFile.readFrom(zip, cur, budget).snapshot();
        }
        Frame frame = png(zip, textOrNull(m, "frame"), where, MAX_SIDE, MAX_SIDE, budget, frames);
        LayerReader layers = new LayerReader(zip, where, warnings, budget);
        // the current layers are not checked against the frame: the studio keeps a layer of another size until a
        // stroke replaces it, and so does the file
        Frame paint = layers.paint(textOrNull(m, "paint"), "the paint layer", null);
        PixelMask mask = layers.mask(textOrNull(m, "mask"), "the mask layer", null);
        List<HistoryEntry> history = new ArrayList<>();
        String previous = null;
        for (JsonNode n : m.path("history")) {
            String id = n.path("id").asText("");
            try {
                if (!SAFE_ID.matcher(id).matches()) {
                    throw new IOException("history id '" + id + "' is not a safe name");
                }
                String prefix = n.path("snapshot").asText("history/" + id + "/");
                RunSnapshot s = snapshots.get(prefix);
                if (s == null) {
                    s = RunFile.readFrom(zip, prefix, budget).snapshot();
                    snapshots.put(prefix, s);
                }
                // the entry's run gives the size of its image (a whole number of pixels per latent cell, at most
                // MAX_FACTOR): checked before decoding
                int maxW = (int) Math.min(MAX_SIDE, (long) s.cols() * MAX_FACTOR);
                int maxH = (int) Math.min(MAX_SIDE, (long) s.rows() * MAX_FACTOR);
                Frame f;
                try {
                    f = png(zip, n.path("frame").asText(prefix + "frame.png"), where + " history entry '" + id + "'",
                            maxW, maxH, budget, frames);
                } catch (ImageDecoder.ImageTooLargeException e) {
                    throw new ImageDecoder.ImageTooLargeException(e.getMessage() + "; the image of a run of "
                            + s.cols() + "x" + s.rows() + " latent cells is at most " + maxW + "x" + maxH);
                }
                if (f != null && (f.width() % s.cols() != 0 || f.height() % s.rows() != 0
                        || f.width() / s.cols() != f.height() / s.rows())) {
                    throw new IOException("its " + f.width() + "x" + f.height() + " image does not fit its run of "
                            + s.cols() + "x" + s.rows() + " latent cells");
                }
                if (f == null) {
                    throw new IOException("history entry " + id + " has no frame");
                }
                JsonNode parent = n.get("parent");
                String branch = n.path("branch").asText("b1");
                Layers l = null;
                if (n.has("paint") || n.has("mask")) {
                    String what = "history entry '" + id + "': ";
                    l = new Layers(layers.paint(textOrNull(n, "paint"), what + "its paint layer", f),
                            layers.mask(textOrNull(n, "mask"), what + "its mask layer", f));
                }
                history.add(new HistoryEntry(id, parent == null ? previous : parent.isNull() ? null : parent.asText(),
                        branch, n.path("step").asInt(s.step()), n.path("label").asText(null),
                        n.path("created").asLong(0), s, f, l));
                previous = id;
            } catch (LoadBudget.LimitException | ImageDecoder.ImageTooLargeException e) {
                throw e;
            } catch (IOException | IllegalArgumentException e) {
                warnings.add("history entry '" + id + "' was damaged and is left out: " + e.getMessage());
            }
        }
        List<SessionData.LossCurve> losses = new ArrayList<>();
        for (JsonNode n : m.path("losses")) {
            String branch = n.path("branch").asText("");
            try {
                losses.add(lossCurve(n, branch));
            } catch (IllegalArgumentException e) {
                warnings.add("the loss curve of branch '" + branch + "' was damaged and is left out: "
                        + e.getMessage());
            }
        }
        SessionAnimation animation = null;
        try {
            animation = AnimationJson.read(m, where, (entry, w, h) -> {
                Frame f = png(zip, entry, where, w, h, budget, frames);
                if (f == null || f.width() != w || f.height() != h) {
                    throw new IOException("animation frame " + entry + " is not " + w + "x" + h);
                }
                return f;
            });
        } catch (LoadBudget.LimitException | ImageDecoder.ImageTooLargeException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            warnings.add("the animation was damaged and is left out: " + e.getMessage());
        }
        SessionData d = new SessionData(request, rows, current, frame, history, m.path("branch").asText("b1"), paint,
                mask, models, losses, animation);
        return new Loaded(d, warnings);
    }

    private static SessionData.LossCurve lossCurve(JsonNode n, String branch) {
        if (!SAFE_ID.matcher(branch).matches()) {
            throw new IllegalArgumentException("branch '" + branch + "' is not a safe name");
        }
        JsonNode steps = n.path("steps");
        JsonNode values = n.path("values");
        if (!steps.isArray() || !values.isArray()) {
            throw new IllegalArgumentException("'steps' and 'values' must be arrays");
        }
        if (steps.size() != values.size()) {
            throw new IllegalArgumentException(steps.size() + " steps but " + values.size() + " values");
        }
        if (steps.size() > MAX_LOSS_POINTS) {
            throw new IllegalArgumentException(steps.size() + " points (at most " + MAX_LOSS_POINTS + ")");
        }
        int[] s = new int[steps.size()];
        double[] v = new double[values.size()];
        for (int i = 0; i < s.length; i++) {
            JsonNode st = steps.get(i);
            JsonNode va = values.get(i);
            if (!st.canConvertToInt() || !st.isIntegralNumber() || st.asInt() < 0) {
                throw new IllegalArgumentException("step " + i + " is " + st + ", not a step number");
            }
            if (!va.isNumber() || !Double.isFinite(va.asDouble())) {
                throw new IllegalArgumentException("value " + i + " is " + va + ", not a finite number");
            }
            s[i] = st.asInt();
            v[i] = va.asDouble();
        }
        String name = n.path("name").asText(branch);
        return new SessionData.LossCurve(branch, name.isBlank() ? branch : name, s, v);
    }

    /**
     * Brings a manifest of an older version up to {@link #VERSION}, one step per version:
     * <ul>
     *   <li>Version 1 is the first; its optional fields ({@code promptRows}, {@code branch}, {@code parent},
     *       {@code paint}, {@code mask}, {@code models}) may be absent and get defaults when read.</li>
     *   <li>1 → 2: history entries gained their own {@code paint}/{@code mask} layers. Version-1 entries have none
     *       recorded, so any such field in a version-1 entry is dropped (their layers stay "not recorded").</li>
     *   <li>2 → 3: the loss chart's curves ({@code losses}) were added; older files have none, and the chart of such
     *       a session starts empty. Any {@code losses} field in an older file is dropped.</li>
     *   <li>3 → 4: the studio's animation ({@code animation}, see {@code AnimationJson}) was added; any such field in
     *       an older file is dropped.</li>
     * </ul>
     */
    static ObjectNode migrate(ObjectNode manifest, int version, List<String> warnings) {
        if (version < VERSION) {
            warnings.add("session was written by an older version (" + version + ") and was upgraded");
        }
        if (version < 2) {
            for (JsonNode n : manifest.path("history")) {
                if (n instanceof ObjectNode o) {
                    o.remove(List.of("paint", "mask"));
                }
            }
        }
        if (version < 3) {
            manifest.remove("losses");
        }
        if (version < 4) {
            manifest.remove("animation");
        }
        return manifest;
    }

    /**
     * Reads layer entries, each zip entry once (entries shared by several history entries come back as one object),
     * turning a damaged layer into a warning and a null layer.
     */
    private static final class LayerReader {
        private final ZipFile zip;
        private final String where;
        private final List<String> warnings;
        private final LoadBudget budget;
        private final Map<String, Frame> paints = new HashMap<>();
        private final Map<String, PixelMask> masks = new HashMap<>();

        LayerReader(ZipFile zip, String where, List<String> warnings, LoadBudget budget) {
            this.zip = zip;
            this.where = where;
            this.warnings = warnings;
            this.budget = budget;
        }

        /** @return the paint layer in {@code entry}, or null when there is none or it is damaged (with a warning) */
        Frame paint(String entry, String what, Frame over) throws IOException {
            return layer(paints, entry, what, over, e -> png(zip, e, where, maxWidth(over), maxHeight(over), budget,
                    new HashMap<>()), Frame::width, Frame::height);
        }

        /** @return the mask layer in {@code entry}, or null when there is none or it is damaged (with a warning) */
        PixelMask mask(String entry, String what, Frame over) throws IOException {
            return layer(masks, entry, what, over, e -> readMask(zip, e, where, maxWidth(over), maxHeight(over),
                    budget), PixelMask::width, PixelMask::height);
        }

        private static int maxWidth(Frame over) {
            return over == null ? MAX_SIDE : over.width();
        }

        private static int maxHeight(Frame over) {
            return over == null ? MAX_SIDE : over.height();
        }

        private interface Read<T> {
            T from(String entry) throws IOException;
        }

        private <T> T layer(Map<String, T> cache, String entry, String what, Frame over, Read<T> read,
                            java.util.function.ToIntFunction<T> width, java.util.function.ToIntFunction<T> height)
                throws IOException {
            if (entry == null) {
                return null;
            }
            try {
                T layer = cache.get(entry);
                if (layer == null) {
                    layer = read.from(entry);
                    cache.put(entry, layer);
                }
                checkSize(entry, width.applyAsInt(layer), height.applyAsInt(layer), over);
                return layer;
            } catch (LoadBudget.LimitException | ImageDecoder.ImageTooLargeException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                warnings.add(what + " was damaged and is left out: " + e.getMessage());
                return null;
            }
        }

        private void checkSize(String entry, int w, int h, Frame over) throws IOException {
            if (over != null && (w != over.width() || h != over.height())) {
                throw new IOException(where + ": " + entry + " is " + w + "x" + h + " but its image is "
                        + over.width() + "x" + over.height());
            }
        }
    }

    private static String textOrNull(JsonNode m, String key) {
        JsonNode n = m.get(key);
        return n == null || n.isNull() || n.asText().isEmpty() ? null : n.asText();
    }

    /**
     * Reads a PNG entry, checking the size in its header against {@code maxWidth × maxHeight} and the budget before
     * reading the rest of the entry or decoding; an entry read before comes back as the same frame (decoded once).
     *
     * @throws ImageDecoder.ImageTooLargeException when the header's size exceeds the limits (nothing decoded)
     */
    private static Frame png(ZipFile zip, String entry, String where, int maxWidth, int maxHeight, LoadBudget budget,
                             Map<String, Frame> decoded) throws IOException {
        if (entry == null) {
            return null;
        }
        String what = where + " " + entry;
        Frame known = decoded.get(entry);
        if (known != null) {
            ImageDecoder.checkSize(what, known.width(), known.height(), maxWidth, maxHeight);
            return known;
        }
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            throw new IOException(where + ": missing entry " + entry);
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] head = in.readNBytes(Png.HEADER_BYTES);
            int[] size = Png.size(head, what);
            ImageDecoder.checkSize(what, size[0], size[1], maxWidth, maxHeight);
            long pixels = (long) size[0] * size[1];
            budget.reserve(pixels * Integer.BYTES, pixels * Integer.BYTES,
                    entry + " (a " + size[0] + "x" + size[1] + " image)");
            // 16-bit RGBA stored without compression is 8 bytes a pixel plus a filter byte a row
            long most = pixels * 8 + size[1] * 2L + (4 << 20);
            byte[] rest = in.readNBytes((int) Math.min(most + 1, MAX_PNG));
            if (rest.length > most || rest.length >= MAX_PNG) {
                throw new LoadBudget.LimitException(what + ": entry holds more bytes than a " + size[0] + "x"
                        + size[1] + " PNG can (" + most + ")");
            }
            byte[] all = new byte[head.length + rest.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(rest, 0, all, head.length, rest.length);
            Frame f = Images.decode(all, what, maxWidth, maxHeight);
            decoded.put(entry, f);
            return f;
        } catch (java.util.zip.ZipException | java.io.EOFException ex) {
            throw RunFile.corrupt(where, entry, ex);
        }
    }

    private static PixelMask readMask(ZipFile zip, String entry, String where, int maxWidth, int maxHeight,
                                      LoadBudget budget) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            throw new IOException(where + ": missing entry " + entry);
        }
        long most = Math.min(MAX_MASK_BYTES, (long) maxWidth * maxHeight * Float.BYTES + 65_536);
        long declared = e.getSize() >= 0 ? Math.min(e.getSize(), most) : most;
        budget.reserve(declared, declared * 2, entry + " (a mask of " + declared + " bytes)");
        RawTensor t;
        try (InputStream in = new RunFile.LimitedInputStream(zip.getInputStream(e), declared)) {
            t = Npy.read(in, where + " " + entry);
        } catch (java.util.zip.ZipException | java.io.EOFException ex) {
            throw RunFile.corrupt(where, entry, ex);
        }
        long[] s = t.shape();
        if (t.dtype() != DType.FLOAT32 || s.length != 4 || s[0] != 1 || s[1] != 1) {
            throw new IOException(where + ": " + entry + " must be float32 (1,1,H,W), got " + t);
        }
        return new PixelMask((int) s[3], (int) s[2], t.toFloatArray());
    }
}
