package dev.vqclip.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.ClipConfig;
import dev.vqclip.engine.clip.tokenizer.BpeTrainer;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.nn.ThreadAutograd;
import dev.vqclip.engine.vqgan.VqganConfig;
import dev.vqclip.engine.weights.DType;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.Safetensors;
import dev.vqclip.models.DemoModels;
import dev.vqclip.models.Hashing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Trains the bundled demo model pair from a seed and writes it in the formats the real models use:
 * {@code vqgan.safetensors} + {@code vqgan.yaml} (taming layout), {@code clip.safetensors} (OpenAI's tensor names),
 * {@code bpe.txt.gz} (CLIP's merges format, learnt from the captions) and {@code train.json} (seed, settings,
 * seconds per phase, final losses, held-out caption ranking accuracy, and each file's sha256).
 *
 * <p>Everything is derived from the seed: the scenes, the initial weights, the codebook restarts. With one
 * PyTorch thread the same seed gives the same files on the same machine (several threads may reorder floating point
 * sums in the backward pass).
 */
public final class DemoTraining {
    /** The report's file name, beside the models ({@link DemoModels#VQGAN_FILE} and the others). */
    public static final String REPORT_FILE = "train.json";
    /** Seed offset of the held-out scenes the caption ranking is measured on (never used in training). */
    public static final long HELD_OUT_SEED_OFFSET = 1_000_003L;

    /** Which of the pair a run trains; the other one is kept from the folder. */
    public enum Phases {
        /** Train both models. */
        BOTH,
        /** Keep the CLIP (and its vocabulary) in the folder, train only the VQGAN. */
        VQGAN_ONLY,
        /** Keep the VQGAN in the folder, train only the CLIP. */
        CLIP_ONLY
    }

    /**
     * @param seed the one seed everything derives from
     * @param out the folder to write
     * @param vqganSteps VQGAN optimiser steps
     * @param clipSteps CLIP optimiser steps
     * @param threads PyTorch intra-op threads in all (when both models train, half of them each, at least one)
     * @param phases what to train; a kept model's files must be those the folder's train.json describes (same
     *     sha256), and the new train.json carries its section over, marked as such. The two phases are independent
     *     (the CLIP learns from rendered scenes, not from the VQGAN), so a kept model is what a full run with the
     *     same seed and settings would have trained.
     */
    public record Options(long seed, Path out, int vqganSteps, int clipSteps, int threads, Phases phases) {
        public Options {
            if (vqganSteps < 1 || clipSteps < 1 || threads < 1) {
                throw new IllegalArgumentException("steps and threads must be at least 1");
            }
            java.util.Objects.requireNonNull(phases, "phases");
        }

        /** Trains both models. */
        public Options(long seed, Path out, int vqganSteps, int clipSteps, int threads) {
            this(seed, out, vqganSteps, clipSteps, threads, Phases.BOTH);
        }
    }

    /**
     * What a training run produced.
     *
     * @param vqganSeconds wall time of the VQGAN phase
     * @param clipSeconds wall time of the CLIP phase (BPE learning included; a kept model's: its earlier run's)
     * @param wallSeconds wall time of this run's training (the phases overlap when both are trained)
     * @param vqgan the VQGAN phase's figures (null when the VQGAN was kept)
     * @param clip the CLIP phase's figures (null when the CLIP was kept)
     * @param ranking held-out caption ranking of the CLIP (trained or kept)
     * @param files each written file's sha256
     */
    public record Report(double vqganSeconds, double clipSeconds, double wallSeconds, VqganTrainer.Result vqgan,
                         ClipTrainer.Result clip, CaptionRanking.Result ranking, Map<String, String> files) {
    }

    // the settings the shipped models were trained with
    static final int N_EMBED = 128;
    static final int EMBED_DIM = 16;
    static final int TRAIN_SIZE = 64;
    // whole scenes, shape and background pixels weighted equally: trained on crops, the VQGAN drew only 135 of 224
    // whole scenes in the right colours (GroupNorm normalises over the whole image); this way all 224 (F in
    // docs/demo-models.md)
    static final int VQGAN_BATCH = 8;
    static final int CROP_SIZE = TRAIN_SIZE;
    static final double PIXEL_NOISE = 0.02;
    static final boolean BALANCED_LOSS = true;
    static final double CLIP_NORM = 1.0;
    static final double VQGAN_LR = 1e-3;
    static final double BETA = 0.25;
    static final int RESTART_EVERY = 100;
    static final int MERGES = 400;
    static final int CONTEXT = 32;
    static final int CLIP_BATCH = 64;
    static final double CLIP_LR = 2e-3;
    static final double CLIP_NOISE = 0.15;
    // half of each CLIP batch are generation-style views (whole scenes under a run's augmentations), so the guide
    // is robust to what a run shows it; mosaic negatives stay off (see docs/demo-models.md, e1 to e5 and A to D)
    static final double CLIP_VIEWS = 0.5;
    static final int CLIP_NEGATIVES = 0;
    // spoiled-scene negatives stay off too: they cured one miss and caused more (docs/demo-models.md, G and I)
    static final int CLIP_SPOILED = 0;
    // the views' perspective corners show the scene's background, not black: with black corners the guide learnt to
    // accept a black border ("a red circle on a blue background" at seed 1); with the fill every background comes out
    // right and the ranking rises to 96.5%, but shapes need about 200 steps (docs/demo-models.md, K)
    static final boolean CLIP_FILL_CORNERS = true;
    static final int RANKING_SCENES = 200;

    private DemoTraining() {
    }

    /**
     * Trains the models {@link Options#phases()} names and writes the files (replacing those of the same names).
     * When both are trained they train side by side, each on its own thread with half of {@link Options#threads()}
     * PyTorch threads (at least one): the two phases share nothing, and each one's result depends only on the seed.
     *
     * @param log receives progress lines (from both phases' threads)
     * @throws IOException when the folder cannot be written, or a kept model's files are not those its train.json
     *     describes
     */
    public static Report run(Options o, Consumer<String> log) throws IOException {
        Files.createDirectories(o.out());
        Engine.getInstance().setRandomSeed((int) o.seed());
        boolean both = o.phases() == Phases.BOTH;
        setThreads(both ? Math.max(1, o.threads() / 2) : o.threads());
        // check a kept model before spending the other one's minutes
        Map<String, Object> keptVqgan = o.phases() == Phases.CLIP_ONLY
                ? earlier(o.out(), "vqgan", DemoModels.VQGAN_FILE, DemoModels.VQGAN_YAML) : null;
        Map<String, Object> keptClip = o.phases() == Phases.VQGAN_ONLY
                ? earlier(o.out(), "clip", DemoModels.CLIP_FILE, DemoModels.VOCAB_FILE) : null;

        long t0 = System.nanoTime();
        VqganPhase vp = null;
        ClipPhase cp = null;
        if (both) {
            ExecutorService clipThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "clip-training");
                t.setDaemon(true);
                return t;
            });
            PhaseLink link = new PhaseLink(Thread.currentThread());
            try {
                Future<ClipPhase> clip = clipThread.submit(() -> {
                    ThreadAutograd.recordNothing();
                    try {
                        return trainClip(o, log);
                    } catch (Throwable t) {
                        link.clipFailed();
                        throw t;
                    }
                });
                try {
                    vp = trainVqgan(o, log);
                } catch (IOException | RuntimeException | Error e) {
                    if (link.vqganDone()) {
                        // the CLIP's failure stopped the VQGAN: report that failure, not the interruption
                        Thread.interrupted();
                        await(clip);
                    }
                    clip.cancel(true);
                    throw e;
                }
                if (link.vqganDone()) {
                    Thread.interrupted();
                }
                cp = await(clip);
            } finally {
                clipThread.shutdownNow();
                awaitQuietly(clipThread);
            }
        } else if (o.phases() == Phases.VQGAN_ONLY) {
            vp = trainVqgan(o, log);
        } else {
            cp = trainClip(o, log);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        ClipTokenizer tokenizer = ClipTokenizer.load(o.out().resolve(DemoModels.VOCAB_FILE));
        CaptionRanking.Result ranking = cp != null ? cp.ranking() : ranking(o, tokenizer, log);
        Report report = new Report(vp != null ? vp.seconds() : seconds(keptVqgan),
                cp != null ? cp.seconds() : seconds(keptClip), wall, vp != null ? vp.result() : null,
                cp != null ? cp.result() : null, ranking, hashes(o.out()));
        writeReport(o, report, vp != null ? vp.settings() : null, cp != null ? cp.settings() : null,
                cp != null ? cp.merges() : 0, tokenizer.vocabSize());
        return report;
    }

    private record VqganPhase(VqganTrainer.Result result, VqganTrainer.Settings settings, double seconds) {
    }

    private record ClipPhase(ClipTrainer.Result result, ClipTrainer.Settings settings, int merges,
                             CaptionRanking.Result ranking, double seconds) {
    }

    /** Lets a failing CLIP phase stop the VQGAN phase on the calling thread, and only while it trains. */
    private static final class PhaseLink {
        private final Thread vqganThread;
        private boolean vqganRunning = true;
        private boolean clipFailed;

        PhaseLink(Thread vqganThread) {
            this.vqganThread = vqganThread;
        }

        /** Called on the CLIP's thread when it fails: the VQGAN's remaining minutes would be wasted. */
        synchronized void clipFailed() {
            clipFailed = true;
            if (vqganRunning) {
                vqganThread.interrupt();
            }
        }

        /** @return whether the CLIP failed (and so may have interrupted the VQGAN's thread) */
        synchronized boolean vqganDone() {
            vqganRunning = false;
            return clipFailed;
        }
    }

    /** Waits (up to a minute: a step) for a cancelled phase to stop, keeping the caller's interrupt status. */
    private static void awaitQuietly(ExecutorService phase) {
        boolean interrupted = Thread.interrupted();
        try {
            phase.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ClipPhase await(Future<ClipPhase> clip) throws IOException {
        try {
            return clip.get();
        } catch (InterruptedException e) {
            clip.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the CLIP trained");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("CLIP training failed: " + cause, cause);
        }
    }

    private static VqganPhase trainVqgan(Options o, Consumer<String> log) throws IOException {
        long t0 = System.nanoTime();
        VqganConfig vcfg = VqganTrainer.config(N_EMBED, EMBED_DIM, TRAIN_SIZE);
        VqganTrainer.Settings vs = new VqganTrainer.Settings(o.vqganSteps(), o.vqganSteps() / 4, VQGAN_BATCH,
                TRAIN_SIZE, CROP_SIZE, PIXEL_NOISE, VQGAN_LR, BETA, RESTART_EVERY, CLIP_NORM, BALANCED_LOSS);
        VqganTrainer.Result vr = VqganTrainer.train(vcfg, vs, o.seed(), Device.cpu(), log);
        writeTensors(o.out().resolve(DemoModels.VQGAN_FILE), vr.weights(), vr.shapes(), Map.of("format", "pt",
                "source", "vqclip train-demo --seed " + o.seed()));
        String yamlText = yaml(vcfg);
        AtomicFiles.write(o.out().resolve(DemoModels.VQGAN_YAML),
                out -> out.write(yamlText.getBytes(StandardCharsets.UTF_8)));
        return new VqganPhase(vr, vs, (System.nanoTime() - t0) / 1e9);
    }

    private static double seconds(Map<String, Object> section) {
        return section.get("seconds") instanceof Number n ? n.doubleValue() : 0;
    }

    private static CaptionRanking.Result ranking(Options o, ClipTokenizer tokenizer, Consumer<String> log) {
        CaptionRanking.Result ranking;
        try (Clip clip = Clip.load(o.out().resolve(DemoModels.CLIP_FILE), Device.cpu())) {
            ranking = CaptionRanking.evaluate(clip, tokenizer, o.seed() + HELD_OUT_SEED_OFFSET, RANKING_SCENES);
        }
        log.accept(String.format(Locale.ROOT, "held-out caption ranking: %d/%d (%.1f%%) with %d distractors each",
                ranking.correct(), ranking.total(), 100 * ranking.accuracy(), ranking.distractors()));
        return ranking;
    }

    private static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String f : List.of(DemoModels.VQGAN_FILE, DemoModels.VQGAN_YAML, DemoModels.CLIP_FILE,
                DemoModels.VOCAB_FILE)) {
            hashes.put(f, Hashing.sha256(dir.resolve(f)));
        }
        return hashes;
    }

    private static ClipPhase trainClip(Options o, Consumer<String> log) throws IOException {
        long t1 = System.nanoTime();
        List<ShapesWorld.Scene> all = allScenes();
        List<String> captions = new ArrayList<>();
        for (ShapesWorld.Scene s : all) {
            captions.add(s.caption());
        }
        List<BpeTrainer.Merge> merges = BpeTrainer.train(captions, MERGES);
        Path vocab = o.out().resolve(DemoModels.VOCAB_FILE);
        BpeTrainer.write(merges, vocab);
        ClipTokenizer tokenizer = ClipTokenizer.load(vocab);
        ClipConfig ccfg = ClipTrainer.config(tokenizer.vocabSize(), CONTEXT);
        ClipTrainer.Settings cs = new ClipTrainer.Settings(o.clipSteps(), CLIP_BATCH, CLIP_LR, CLIP_NOISE, CLIP_VIEWS,
                CLIP_NEGATIVES, CLIP_SPOILED, CLIP_FILL_CORNERS);
        ClipTrainer.Result cr = ClipTrainer.train(ccfg, tokenizer, cs, o.seed() + 1, Device.cpu(), log);
        writeTensors(o.out().resolve(DemoModels.CLIP_FILE), cr.weights(), cr.shapes(), Map.of("format", "pt",
                "source", "vqclip train-demo --seed " + o.seed()));
        double clipSeconds = (System.nanoTime() - t1) / 1e9;
        return new ClipPhase(cr, cs, merges.size(), ranking(o, tokenizer, log), clipSeconds);
    }

    private static void setThreads(int threads) {
        try {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        } catch (RuntimeException | LinkageError e) {
            // another engine: keep its default
        }
    }

    /** @return every distinct scene of the world (all shapes, colour pairs, sizes and allowed positions) */
    static List<ShapesWorld.Scene> allScenes() {
        List<ShapesWorld.Scene> out = new ArrayList<>();
        for (ShapesWorld.Shape sh : ShapesWorld.Shape.values()) {
            for (ShapesWorld.Colour c : ShapesWorld.Colour.values()) {
                for (ShapesWorld.Colour bg : ShapesWorld.Colour.values()) {
                    if (bg == c) {
                        continue;
                    }
                    for (ShapesWorld.Size size : ShapesWorld.Size.values()) {
                        for (ShapesWorld.Position p : ShapesWorld.Position.values()) {
                            if (size == ShapesWorld.Size.LARGE && p != ShapesWorld.Position.CENTRE) {
                                continue;
                            }
                            out.add(new ShapesWorld.Scene(sh, c, bg, size, p));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** @return the taming yaml describing the demo VQGAN */
    static String yaml(VqganConfig c) {
        StringBuilder sb = new StringBuilder();
        sb.append("# The bundled demo VQGAN, trained by `vqclip train-demo` on the shapes world.\n");
        sb.append("model:\n");
        sb.append("  base_learning_rate: ").append(VQGAN_LR).append('\n');
        sb.append("  target: taming.models.vqgan.VQModel\n");
        sb.append("  params:\n");
        sb.append("    embed_dim: ").append(c.embedDim()).append('\n');
        sb.append("    n_embed: ").append(c.nEmbed()).append('\n');
        sb.append("    ddconfig:\n");
        sb.append("      double_z: false\n");
        sb.append("      z_channels: ").append(c.zChannels()).append('\n');
        sb.append("      resolution: ").append(c.resolution()).append('\n');
        sb.append("      in_channels: ").append(c.inChannels()).append('\n');
        sb.append("      out_ch: ").append(c.outChannels()).append('\n');
        sb.append("      ch: ").append(c.ch()).append('\n');
        sb.append("      ch_mult: ").append(c.chMult()).append('\n');
        sb.append("      num_res_blocks: ").append(c.numResBlocks()).append('\n');
        sb.append("      attn_resolutions: ").append(c.attnResolutions()).append('\n');
        sb.append("      dropout: 0.0\n");
        sb.append("    lossconfig:\n");
        sb.append("      target: torch.nn.Identity\n");
        return sb.toString();
    }

    private static void writeTensors(Path file, Map<String, float[]> weights, Map<String, long[]> shapes,
                                     Map<String, String> metadata) throws IOException {
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            float[] v = e.getValue();
            ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putShort(toHalf(f));
            }
            b.flip();
            tensors.put(e.getKey(), new RawTensor(DType.FLOAT16, shapes.get(e.getKey()), b));
        }
        Safetensors.write(file, tensors, metadata);
    }

    /**
     * @param section {@code "vqgan"} or {@code "clip"}
     * @param files the files of that model
     * @return that section of the train.json in {@code dir}, after checking that the files there are the ones it
     *     describes
     * @throws IOException when train.json is missing, unreadable, or describes other files
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> earlier(Path dir, String section, String... files) throws IOException {
        Path report = dir.resolve(REPORT_FILE);
        String keep = section.equals("vqgan") ? "--clip-only" : "--vqgan-only";
        if (!Files.isRegularFile(report)) {
            throw new IOException(keep + " needs the train.json of the " + section.toUpperCase(Locale.ROOT)
                    + " in " + dir + "; " + report + " is missing");
        }
        Map<String, Object> root = new ObjectMapper().readValue(report.toFile(), Map.class);
        Object v = root.get(section);
        Object sha = root.get("sha256");
        if (!(v instanceof Map) || !(sha instanceof Map)) {
            throw new IOException(report + " has no " + section + " or sha256 section");
        }
        for (String f : files) {
            String want = String.valueOf(((Map<String, Object>) sha).get(f));
            if (!Files.isRegularFile(dir.resolve(f)) || !Hashing.sha256(dir.resolve(f)).equals(want)) {
                throw new IOException(dir.resolve(f) + " is not the file " + report + " describes (sha256)");
            }
        }
        return new LinkedHashMap<>((Map<String, Object>) v);
    }

    private static Map<String, Object> vqganSection(Report r, VqganTrainer.Settings vs) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("architecture", "taming VQModel f8: ch 32, ch_mult [2,2,2,2], 1 res block, no attention outside the "
                + "middle, n_embed " + N_EMBED + ", embed_dim " + EMBED_DIM);
        v.put("steps", vs.steps());
        v.put("batch", vs.batch());
        v.put("sceneSize", vs.imageSize());
        v.put("cropSize", vs.cropSize());
        v.put("pixelNoise", vs.noise());
        v.put("gradientClipNorm", vs.clipNorm());
        v.put("learningRate", vs.lr());
        v.put("adamBetas", List.of(0.5, 0.9));
        v.put("beta", vs.beta());
        v.put("loss", (vs.balance() ? "L1 reconstruction with shape and background pixels weighted to equal totals"
                : "L1 reconstruction") + " + VectorQuantizer2 legacy: mean((sg(zq)-z)^2) + beta*mean((zq-sg(z))^2)");
        v.put("autoencoderWarmupSteps", vs.warmup());
        v.put("codebookInit", "k-means of the encoder outputs of the last " + VqganTrainer.KMEANS_BATCHES
                + " warm-up batches");
        v.put("restartDeadCodesEvery", vs.restartEvery());
        v.put("seconds", round(r.vqganSeconds()));
        v.put("finalReconstructionL1", round(r.vqgan().reconstructionL1()));
        v.put("finalQuantizerLoss", round(r.vqgan().quantizerLoss()));
        v.put("codesUsedAtTheEnd", r.vqgan().codesUsed());
        v.put("codeRestarts", r.vqgan().restarts());
        return v;
    }

    private static void writeReport(Options o, Report r, VqganTrainer.Settings vs, ClipTrainer.Settings cs,
                                    int merges, int vocabSize) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("seed", o.seed());
        root.put("threads", o.threads());
        root.put("javaVersion", System.getProperty("java.version"));
        if (o.phases() == Phases.CLIP_ONLY) {
            Map<String, Object> v = earlier(o.out(), "vqgan", DemoModels.VQGAN_FILE, DemoModels.VQGAN_YAML);
            v.put("fromAnEarlierRun", "kept by train-demo --clip-only: the VQGAN settings did not change");
            root.put("vqgan", v);
        } else {
            root.put("vqgan", vqganSection(r, vs));
        }
        root.put("clip", o.phases() == Phases.VQGAN_ONLY ? keptClipSection(o, r) : clipSection(o, r, cs, merges,
                vocabSize));
        root.put("phasesSideBySide", o.phases() == Phases.BOTH);
        root.put("wallSeconds", round(r.wallSeconds()));
        root.put("sha256", r.files());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        byte[] report = (json.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(o.out().resolve(REPORT_FILE), out -> out.write(report));
    }

    private static Map<String, Object> keptClipSection(Options o, Report r) throws IOException {
        Map<String, Object> c = earlier(o.out(), "clip", DemoModels.CLIP_FILE, DemoModels.VOCAB_FILE);
        c.put("fromAnEarlierRun", "kept by train-demo --vqgan-only: the CLIP settings did not change");
        // measured again on the kept file: the same figure unless the ranking code changed
        c.put("captionRanking", rankingSection(o, r.ranking()));
        return c;
    }

    private static Map<String, Object> rankingSection(Options o, CaptionRanking.Result ranking) {
        Map<String, Object> rank = new LinkedHashMap<>();
        rank.put("heldOutSeed", o.seed() + HELD_OUT_SEED_OFFSET);
        rank.put("scenes", ranking.total());
        rank.put("distractorsPerScene", ranking.distractors());
        rank.put("trueCaptionFirst", ranking.correct());
        rank.put("accuracy", round(ranking.accuracy()));
        return rank;
    }

    private static Map<String, Object> clipSection(Options o, Report r, ClipTrainer.Settings cs, int merges,
                                                   int vocabSize) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", ClipTrainer.describe(ClipTrainer.config(vocabSize, CONTEXT)));
        c.put("bpeMerges", merges);
        c.put("vocabSize", vocabSize);
        c.put("steps", cs.steps());
        c.put("batch", cs.batch());
        c.put("learningRate", cs.lr());
        c.put("adamBetas", List.of(0.9, 0.98));
        c.put("pixelNoise", cs.noise());
        c.put("generationStyleViews", cs.views());
        c.put("viewSceneSize", ClipTrainer.VIEW_SCENE_SIZE);
        c.put("viewMinVisibleShape", ClipTrainer.VIEW_MIN_VISIBLE);
        c.put("viewCorners", cs.fillCorners() ? "scene background" : "black");
        c.put("mosaicNegatives", cs.negatives());
        c.put("spoiledNegatives", cs.spoiled());
        c.put("seconds", round(r.clipSeconds()));
        c.put("finalContrastiveLoss", round(r.clip().loss()));
        c.put("logitScale", round(r.clip().logitScale()));
        c.put("captionRanking", rankingSection(o, r.ranking()));
        return c;
    }

    /** @return the IEEE binary16 nearest to {@code f} (ties to even), overflowing to infinity */
    static short toHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            // subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = sign | (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the correct rounding (up to infinity)
        }
        return (short) half;
    }

    private static double round(double x) {
        return Math.round(x * 10000) / 10000.0;
    }
}
