package dev.vqclip.training;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.models.DemoModels;
import dev.vqclip.models.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoTrainingTest {
    @Test
    void aShortRunWritesLoadableModelsAndIsReproducibleFromItsSeed(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        DemoTraining.Report ra = DemoTraining.run(new DemoTraining.Options(7, a, 3, 3, 1), line -> { });
        DemoTraining.Report rb = DemoTraining.run(new DemoTraining.Options(7, b, 3, 3, 1), line -> { });
        assertThat(rb.files()).isEqualTo(ra.files());
        for (String f : ra.files().keySet()) {
            assertThat(Hashing.sha256(a.resolve(f))).isEqualTo(ra.files().get(f));
        }
        try (Vqgan v = Vqgan.load(a.resolve(DemoModels.VQGAN_FILE), a.resolve(DemoModels.VQGAN_YAML),
                Device.cpu());
             Clip c = Clip.load(a.resolve(DemoModels.CLIP_FILE), Device.cpu())) {
            assertThat(v.factor()).isEqualTo(8);
            assertThat(v.codebook().getShape().get(0)).isEqualTo(DemoTraining.N_EMBED);
            ClipTokenizer tok = ClipTokenizer.load(a.resolve(DemoModels.VOCAB_FILE));
            assertThat(c.config().vocabSize()).isEqualTo(tok.vocabSize());
            assertThat(c.contextLength()).isEqualTo(DemoTraining.CONTEXT);
            assertThat(c.imageResolution()).isEqualTo(64);
            // every caption word is one token of the learnt vocabulary
            assertThat(tok.encode("a small red circle at the top left on a blue background")).hasSize(12);
        }
        JsonNode json = new ObjectMapper().readTree(a.resolve(DemoTraining.REPORT_FILE).toFile());
        assertThat(json.get("seed").asLong()).isEqualTo(7);
        assertThat(json.get("vqgan").get("steps").asInt()).isEqualTo(3);
        assertThat(json.get("sha256").get(DemoModels.CLIP_FILE).asText()).isEqualTo(ra.files()
                .get(DemoModels.CLIP_FILE));
        assertThat(json.get("clip").get("captionRanking").get("scenes").asInt()).isEqualTo(
                DemoTraining.RANKING_SCENES);
    }

    @Test
    void anInterruptedRunStopsBothPhasesAtTheirNextStep(@TempDir Path dir) {
        Thread caller = Thread.currentThread();
        // as Ctrl-C in a caller would: interrupt the caller (the VQGAN's thread) once the VQGAN has taken a step
        java.util.function.Consumer<String> interruptAfterFirstStep = line -> {
            if (line.startsWith("vqgan step 1/")) {
                caller.interrupt();
            }
        };
        try {
            assertThatThrownBy(() -> DemoTraining.run(new DemoTraining.Options(5, dir, 10_000, 10_000, 1),
                    interruptAfterFirstStep)).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("VQGAN training cancelled at step 2");
        } finally {
            Thread.interrupted();
        }
        // the pool has terminated when run returns; its thread may take a moment more to leave run()
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (clipThreadAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("clip-training"));
        assertThat(dir.resolve(DemoModels.CLIP_FILE)).doesNotExist();
        assertThat(dir.resolve(DemoModels.VQGAN_FILE)).doesNotExist();
    }

    private static boolean clipThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("clip-training"));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // without the cancellation the VQGAN would train for hours
    void aFailingClipPhaseStopsTheVqganAndIsTheErrorReported(@TempDir Path dir) throws Exception {
        // the CLIP phase cannot write its vocabulary: a folder stands where the file goes
        Files.createDirectories(dir.resolve(DemoModels.VOCAB_FILE));
        assertThatThrownBy(() -> DemoTraining.run(new DemoTraining.Options(6, dir, 1_000_000, 10, 1), l -> { }))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining(DemoModels.VOCAB_FILE);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(dir.resolve(DemoModels.VQGAN_FILE)).doesNotExist();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("clip-training"));
    }

    @Test
    void aDifferentSeedGivesDifferentWeights(@TempDir Path dir) throws Exception {
        DemoTraining.Report r1 = DemoTraining.run(new DemoTraining.Options(1, dir.resolve("1"), 1, 1, 1), l -> { });
        DemoTraining.Report r2 = DemoTraining.run(new DemoTraining.Options(2, dir.resolve("2"), 1, 1, 1), l -> { });
        assertThat(r2.files().get(DemoModels.VQGAN_FILE)).isNotEqualTo(r1.files().get(DemoModels.VQGAN_FILE));
        assertThat(r2.files().get(DemoModels.CLIP_FILE)).isNotEqualTo(r1.files().get(DemoModels.CLIP_FILE));
    }

    @Test
    void halfPrecisionConversionRoundsToNearestEven() {
        float[] samples = {0f, -0f, 1f, -2.5f, 65504f, 1e-8f, 6.1e-5f, 3e-6f, 0.1f, 1234.567f, Float.NaN,
            Float.POSITIVE_INFINITY, 70000f};
        for (float f : samples) {
            float back = RawTensor.halfToFloat(DemoTraining.toHalf(f));
            if (Float.isNaN(f)) {
                assertThat(back).isNaN();
            } else if (Math.abs(f) > 65520f) {
                assertThat(back).isInfinite();
            } else {
                // binary16 keeps 11 significant bits; subnormals have an absolute step of 2^-24
                assertThat((double) Math.abs(back - f)).as("%s", f)
                        .isLessThanOrEqualTo(Math.max(Math.abs(f) / 2048.0, Math.pow(2, -25)));
            }
        }
        // exhaustive round trip: every finite half survives float -> half unchanged
        for (int h = 0; h < 0x10000; h++) {
            float f = RawTensor.halfToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertThat(DemoTraining.toHalf(f)).as("half %04x", h).isEqualTo((short) h);
            }
        }
        // ties go to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
        assertThat(DemoTraining.toHalf(1f + (float) Math.pow(2, -11))).isEqualTo((short) 0x3c00);
        assertThat(DemoTraining.toHalf(1f + 3 * (float) Math.pow(2, -11))).isEqualTo((short) 0x3c02);
    }

    @Test
    void captionDistractorsDifferInExactlyOneAttributeOrSwapTheColours() {
        ShapesWorld.Scene s = new ShapesWorld.Scene(ShapesWorld.Shape.CIRCLE, ShapesWorld.Colour.RED,
                ShapesWorld.Colour.BLUE, ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE);
        assertThat(CaptionRanking.distractors(s)).hasSize(6 + 6 + 4 + 1).doesNotContain(s.caption())
                .contains("a green circle on a blue background", "a red circle on a green background",
                        "a red star on a blue background", "a blue circle on a red background");
    }

    @Test
    void aClipOnlyRunKeepsTheDescribedVqganAndRecordsIt(@TempDir Path dir) throws Exception {
        DemoTraining.Report full = DemoTraining.run(new DemoTraining.Options(3, dir, 2, 2, 1), line -> { });
        DemoTraining.Report clipOnly = DemoTraining.run(new DemoTraining.Options(3, dir, 2, 2, 1, DemoTraining.Phases.CLIP_ONLY), l -> { });
        assertThat(clipOnly.files().get(DemoModels.VQGAN_FILE)).isEqualTo(full.files().get(DemoModels.VQGAN_FILE));
        // same seed and settings: the CLIP is the same too
        assertThat(clipOnly.files().get(DemoModels.CLIP_FILE)).isEqualTo(full.files().get(DemoModels.CLIP_FILE));
        JsonNode json = new ObjectMapper().readTree(dir.resolve(DemoTraining.REPORT_FILE).toFile());
        assertThat(json.get("vqgan").get("fromAnEarlierRun").asText()).contains("--clip-only");
        assertThat(json.get("vqgan").get("steps").asInt()).isEqualTo(2);

        Files.write(dir.resolve(DemoModels.VQGAN_YAML), "model: {}\n".getBytes());
        assertThatThrownBy(() -> DemoTraining.run(new DemoTraining.Options(3, dir, 2, 2, 1, DemoTraining.Phases.CLIP_ONLY), l -> { }))
                .hasMessageContaining(DemoModels.VQGAN_YAML).hasMessageContaining("sha256");
    }

    @Test
    void theBalancedLossGivesShapeAndBackgroundEqualWeight() {
        int n = 12;
        int crop = 64;
        int plane = crop * crop;
        float[] weights = new float[n * plane];
        float[] pixels = VqganTrainer.batch(new SplittableRandom(9), n, 64, crop, 0, weights);
        for (int i = 0; i < n; i++) {
            // the background is the border's colour (no shape touches every corner); heavier pixels are the shape's
            double light = Double.MAX_VALUE;
            double heavy = 0;
            double sum = 0;
            int heavyCount = 0;
            for (int j = 0; j < plane; j++) {
                double w = weights[i * plane + j];
                light = Math.min(light, w);
                heavy = Math.max(heavy, w);
                sum += w;
            }
            for (int j = 0; j < plane; j++) {
                heavyCount += weights[i * plane + j] == heavy ? 1 : 0;
            }
            assertThat(sum / plane).as("mean weight of image %d", i).isCloseTo(1.0, within(1e-4));
            assertThat(heavy * heavyCount).as("the shape's total weight").isCloseTo(plane / 2.0, within(0.01 * plane));
            assertThat(heavyCount).as("shape pixels are the minority").isLessThan(plane / 2);
            // the corner pixel is background and light
            assertThat(weights[i * plane]).isEqualTo((float) light);
            // and the shape pixels are the ones whose colour differs from the corner's
            int differing = 0;
            for (int j = 0; j < plane; j++) {
                boolean same = true;
                for (int c = 0; c < 3; c++) {
                    same &= pixels[i * 3 * plane + c * plane + j] == pixels[i * 3 * plane + c * plane];
                }
                differing += same ? 0 : 1;
            }
            assertThat(differing).isEqualTo(heavyCount);
        }
    }

    @Test
    void aVqganOnlyRunKeepsTheDescribedClipAndRecordsIt(@TempDir Path dir) throws Exception {
        DemoTraining.Report full = DemoTraining.run(new DemoTraining.Options(4, dir, 2, 2, 1), line -> { });
        byte[] clip = Files.readAllBytes(dir.resolve(DemoModels.CLIP_FILE));
        DemoTraining.Report vqganOnly = DemoTraining.run(new DemoTraining.Options(4, dir, 2, 2, 1,
                DemoTraining.Phases.VQGAN_ONLY), l -> { });
        assertThat(Files.readAllBytes(dir.resolve(DemoModels.CLIP_FILE))).isEqualTo(clip);
        assertThat(vqganOnly.clip()).isNull();
        // same seed and settings: the VQGAN is the same too, and so is the kept CLIP's ranking
        assertThat(vqganOnly.files()).isEqualTo(full.files());
        assertThat(vqganOnly.ranking()).isEqualTo(full.ranking());
        JsonNode json = new ObjectMapper().readTree(dir.resolve(DemoTraining.REPORT_FILE).toFile());
        assertThat(json.get("clip").get("fromAnEarlierRun").asText()).contains("--vqgan-only");
        assertThat(json.get("clip").get("steps").asInt()).isEqualTo(2);
        assertThat(json.get("vqgan").has("fromAnEarlierRun")).isFalse();
        assertThat(json.get("sha256").get(DemoModels.VQGAN_FILE).asText())
                .isEqualTo(full.files().get(DemoModels.VQGAN_FILE));

        // a CLIP the report does not describe is refused before any training
        Files.write(dir.resolve(DemoModels.VOCAB_FILE), new byte[] {1, 2, 3});
        long before = Files.getLastModifiedTime(dir.resolve(DemoModels.VQGAN_FILE)).toMillis();
        assertThatThrownBy(() -> DemoTraining.run(new DemoTraining.Options(4, dir, 2, 2, 1,
                DemoTraining.Phases.VQGAN_ONLY), l -> { }))
                .hasMessageContaining(DemoModels.VOCAB_FILE).hasMessageContaining("sha256");
        assertThat(Files.getLastModifiedTime(dir.resolve(DemoModels.VQGAN_FILE)).toMillis()).isEqualTo(before);
    }

    @Test
    void generationStyleViewsShowTheShapeAndMosaicsUseNamedColours() {
        ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu());
        try (m) {
            dev.vqclip.engine.augment.CutoutAugmenter viewer = new dev.vqclip.engine.augment.CutoutAugmenter(64, 1,
                    1.0, dev.vqclip.engine.augment.Augmentations.defaults());
            SplittableRandom rng = new SplittableRandom(5);
            ShapesWorld.Scene s = new ShapesWorld.Scene(ShapesWorld.Shape.SQUARE, ShapesWorld.Colour.RED,
                    ShapesWorld.Colour.BLUE, ShapesWorld.Size.SMALL, ShapesWorld.Position.TOP_LEFT);
            for (int k = 0; k < 10; k++) {
                float[] v = ClipTrainer.view(s, viewer, rng, m, false);
                assertThat(v).hasSize(3 * 64 * 64);
                int red = 0;
                for (int i = 0; i < 64 * 64; i++) {
                    // red stays above 0.5 under the hue/saturation jitter; the blue background and the black warp
                    // padding stay far below
                    if (v[i] > 0.5) {
                        red++;
                    }
                }
                // a small square is 19 px at the 64 px view scene (361 px); a view keeps at least 60% of its box and
                // scales it by 64 / cutout size >= 1, so about 200 px or more before the warps, which can move part
                // of it out of the frame (one of these ten keeps 49 px); a view without the shape would have none
                assertThat(red).as("red pixels of view %d", k).isGreaterThan(24);
            }
            assertThat(ClipTrainer.shortCaption(s)).isEqualTo("a red square on a blue background");
            for (int i = 0; i < 3; i++) {
                float[] g = ClipTrainer.mosaic(64, rng);
                for (float f : g) {
                    assertThat(f).isBetween(0f, 1f);
                }
            }
        }
    }

    @Test
    void aSpoiledSceneIsTheSceneBlendedWithOneForeignColourOverPartOfIt() {
        ShapesWorld.Scene s = new ShapesWorld.Scene(ShapesWorld.Shape.CIRCLE, ShapesWorld.Colour.RED,
                ShapesWorld.Colour.BLUE, ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE);
        float[] clean = s.render(64).toPlanarRgb();
        int plane = 64 * 64;
        SplittableRandom rng = new SplittableRandom(11);
        java.util.Set<ShapesWorld.Colour> seen = new java.util.HashSet<>();
        for (int k = 0; k < 20; k++) {
            float[] p = ClipTrainer.spoil(s, 64, rng);
            int same = 0;
            for (int i = 0; i < plane; i++) {
                if (p[i] == clean[i] && p[plane + i] == clean[plane + i] && p[2 * plane + i] == clean[2 * plane + i]) {
                    same++;
                }
            }
            // at least one grid cell is clean and one painted (a cell is a quarter to a sixteenth of the image)
            assertThat(same).as("untouched pixels of spoiled scene %d", k).isBetween(plane / 16, plane - plane / 16);
            // the paint: the named colours every pixel is a blend towards (one alpha for the three channels)
            java.util.List<ShapesWorld.Colour> paint = new java.util.ArrayList<>();
            for (ShapesWorld.Colour c : ShapesWorld.Colour.values()) {
                if (isBlendTowards(clean, p, c, plane)) {
                    paint.add(c);
                }
            }
            assertThat(paint).as("paint of spoiled scene %d", k).hasSize(1)
                    .doesNotContain(ShapesWorld.Colour.RED, ShapesWorld.Colour.BLUE);
            seen.add(paint.get(0));
        }
        assertThat(seen).as("paints over 20 spoiled scenes").hasSizeGreaterThan(2);
    }

    private static boolean isBlendTowards(float[] clean, float[] p, ShapesWorld.Colour c, int plane) {
        float[] rgb = {c.r / 255f, c.g / 255f, c.b / 255f};
        for (int i = 0; i < plane; i++) {
            double alpha = Double.NaN;
            for (int ch = 0; ch < 3; ch++) {
                float from = clean[ch * plane + i];
                float span = rgb[ch] - from;
                float moved = p[ch * plane + i] - from;
                if (Math.abs(span) < 1e-3) {
                    if (Math.abs(moved) > 1e-4) {
                        return false;
                    }
                    continue;
                }
                double a = moved / span;
                if (a < -1e-4 || a > 1 + 1e-4 || (!Double.isNaN(alpha) && Math.abs(a - alpha) > 2e-3)) {
                    return false;
                }
                alpha = a;
            }
        }
        return true;
    }

    @Test
    void clipTrainingWithViewsAndNegativesRunsAndIsReproducible(@TempDir Path dir) throws Exception {
        // bit-identical results need one PyTorch thread, as train-demo --threads 1 sets
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
        java.util.List<String> captions = new java.util.ArrayList<>();
        for (ShapesWorld.Scene sc : DemoTraining.allScenes()) {
            captions.add(sc.caption());
        }
        Path vocab = dir.resolve("bpe.txt.gz");
        dev.vqclip.engine.clip.tokenizer.BpeTrainer.write(
                dev.vqclip.engine.clip.tokenizer.BpeTrainer.train(captions, 100), vocab);
        ClipTokenizer tok = ClipTokenizer.load(vocab);
        ClipTrainer.Settings s = new ClipTrainer.Settings(2, 8, 1e-3, 0.1, 0.5, 3, 2, true);
        ClipTrainer.Result a = ClipTrainer.train(ClipTrainer.config(tok.vocabSize(), 32), tok, s, 9, Device.cpu(),
                l -> { });
        ClipTrainer.Result b = ClipTrainer.train(ClipTrainer.config(tok.vocabSize(), 32), tok, s, 9, Device.cpu(),
                l -> { });
        assertThat(a.loss()).isFinite().isPositive();
        assertThat(b.weights().get("visual.proj")).isEqualTo(a.weights().get("visual.proj"));
    }

    @Test
    void textGradientsReachExactlyTheTokensUsedEvenAfterTheTokenScopeIsCollected() {
        // Clip.encodeText builds the ids in a scope it closes before the caller's backward; the ids must not alias a
        // freed Java buffer (seen in training: "index 140463924986160 is out of bounds for dimension 0")
        dev.vqclip.engine.clip.ClipConfig cfg = ClipTrainer.config(600, 32);
        try (Clip init = Clip.randomWeights(cfg, Device.cpu(), 4);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu())) {
            java.util.Map<String, ai.djl.ndarray.NDArray> leaves = new java.util.LinkedHashMap<>();
            for (java.util.Map.Entry<String, ai.djl.ndarray.NDArray> e : init.parameters().entrySet()) {
                ai.djl.ndarray.NDArray c = e.getValue().duplicate();
                c.attach(m);
                c.setRequiresGradient(true);
                leaves.put(e.getKey(), c);
            }
            long[] row = new long[32];
            row[0] = 1;
            row[1] = 5;
            row[2] = 7;
            row[3] = 500; // the end token: the highest id, pooled here; the zeros after it cannot matter
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                Clip clip = Clip.fromParameters(cfg, leaves);
                ai.djl.ndarray.NDArray out = clip.encodeText(m, new long[][] {row, row});
                dev.vqclip.testing.FreedMemory freed = new dev.vqclip.testing.FreedMemory();
                freed.collectAndOverwrite();
                gc.backward(out.sum());
                freed.release();
            }
            float[] g = leaves.get("token_embedding.weight").getGradient().toFloatArray();
            java.util.Set<Integer> touched = new java.util.TreeSet<>();
            int width = cfg.textWidth();
            for (int t = 0; t < 600; t++) {
                for (int j = 0; j < width; j++) {
                    if (g[t * width + j] != 0) {
                        touched.add(t);
                        break;
                    }
                }
            }
            assertThat(touched).containsExactly(1, 5, 7, 500);
        }
    }
}
