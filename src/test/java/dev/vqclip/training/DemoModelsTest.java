package dev.vqclip.training;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vqclip.cli.Main;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.models.DemoModels;
import dev.vqclip.models.Hashing;
import dev.vqclip.models.ModelCache;
import dev.vqclip.training.ShapesWorld.Colour;
import dev.vqclip.training.ShapesWorld.Position;
import dev.vqclip.training.ShapesWorld.Scene;
import dev.vqclip.training.ShapesWorld.Shape;
import dev.vqclip.training.ShapesWorld.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SHIPPED demo models ({@code assets/models/demo/}) do their job without any network or installed model: the
 * CLIP understands the shapes world, generation draws what the prompt names (measured on pixels, not by CLIP) and
 * editing changes the masked region far more than the rest.
 */
class DemoModelsTest {
    static final Path DEMO = Path.of("assets", "models", "demo");
    private static String oldCache;
    @TempDir
    static Path emptyCache;

    @BeforeAll
    static void useAnEmptyModelCache() {
        // no installed published model: the resolver must fall back to the bundled demo models
        oldCache = System.getProperty(ModelCache.CACHE_PROPERTY);
        System.setProperty(ModelCache.CACHE_PROPERTY, emptyCache.toString());
    }

    @AfterAll
    static void restoreCache() {
        if (oldCache == null) {
            System.clearProperty(ModelCache.CACHE_PROPERTY);
        } else {
            System.setProperty(ModelCache.CACHE_PROPERTY, oldCache);
        }
    }

    record Result(int exit, String err) {
    }

    static Result vqclip(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Result(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
        }
    }

    @Test
    void shippedFilesAreSmallAndAreTheOnesTrainJsonDescribes() throws IOException {
        long total = 0;
        JsonNode json = new ObjectMapper().readTree(DEMO.resolve(DemoTraining.REPORT_FILE).toFile());
        for (String f : new String[] {DemoModels.VQGAN_FILE, DemoModels.VQGAN_YAML, DemoModels.CLIP_FILE,
            DemoModels.VOCAB_FILE}) {
            Path p = DEMO.resolve(f);
            total += Files.size(p);
            assertThat(Hashing.sha256(p)).as(f + " is the trained file").isEqualTo(json.get("sha256").get(f).asText());
        }
        assertThat(total).isLessThan(15L * 1024 * 1024);
        assertThat(json.get("seed").asLong()).isEqualTo(1);
    }

    @Test
    void clipRanksTheTrueCaptionFirstForHeldOutScenes() throws IOException {
        JsonNode json = new ObjectMapper().readTree(DEMO.resolve(DemoTraining.REPORT_FILE).toFile());
        long heldOut = json.get("seed").asLong() + DemoTraining.HELD_OUT_SEED_OFFSET;
        try (Clip clip = Clip.load(DEMO.resolve(DemoModels.CLIP_FILE), Device.cpu())) {
            ClipTokenizer tok = ClipTokenizer.load(DEMO.resolve(DemoModels.VOCAB_FILE));
            CaptionRanking.Result r = CaptionRanking.evaluate(clip, tok, heldOut, 200);
            System.out.printf(Locale.ROOT, "demo CLIP: true caption first for %d of %d held-out scenes (%.1f%%), "
                    + "%d distractors each%n", r.correct(), r.total(), 100 * r.accuracy(), r.distractors());
            // the issue's target; the misses that remain are shape confusions (docs/demo-models.md)
            assertThat(r.accuracy()).isGreaterThanOrEqualTo(0.9);
        }
    }

    /** Seeds per prompt in {@link #generationDrawsTheNamedColours}. */
    static final int SEEDS = 3;

    /**
     * Steps per run in {@link #generationDrawsTheNamedColours}: with the shipped CLIP the background is right within
     * 100 steps, the shape's colour for most seeds only by 200 (docs/demo-models.md, K).
     */
    static final int STEPS = 200;

    @Test
    void theIssuesCommandDrawsARedCircleOnABlueBackground(@TempDir Path dir) throws IOException {
        // vqclip generate --prompt "a red circle on a blue background" --steps 100 --seed 1 --out o.png, as the issue
        // gives it (the size is the demo default). A run is deterministic for a seed on one CPU, and other CPUs round
        // differently: this one draws a red circle on blue on both measured, an Intel Xeon and an AMD EPYC (Zen 5)
        Path out = dir.resolve("o.png");
        Result r = vqclip("generate", "--prompt", "a red circle on a blue background", "--steps", "100", "--seed", "1",
                "--out", out.toString(), "--quiet", "--device", "cpu");
        assertThat(r.exit()).as(r.err()).isZero();
        Scene scene = DemoDiagnosis.REFERENCE_SCENES.get(0);
        assertThat(scene.caption()).isEqualTo("a red circle on a blue background");
        assertThat(judge(scene, 1, Images.read(out)).miss()).isNull();
    }

    @Test
    void generationDrawsTheNamedColours(@TempDir Path dir) throws IOException {
        // judged on pixels, not by CLIP. A run is a local search from a random latent, and a small guide sometimes
        // settles with blots of purple or white beside the shape; which seeds do depends on the CPU's rounding (an
        // AMD EPYC and an Intel Xeon give different pictures for the same seed), about one run in four at 200 steps
        // (docs/demo-models.md). So the test asks for what holds on every CPU measured: of the 12 runs of the four
        // prompts with seeds 1-3, at least half right, and every background right. A guide that ignored the prompt
        // would get about one run in fifty right (1/8 x 1/7); the shipped pair gets 15 of 20 and 16 of 20 on the two
        // CPUs (seeds 1-5). The runs go seed by seed over all four prompts and stop once half are right (a run takes
        // most of a minute on 2 cores), so every prompt runs at least once and every run made is checked
        int planned = DemoDiagnosis.REFERENCE_SCENES.size() * SEEDS;
        List<String> wrongBackgrounds = new ArrayList<>();
        List<String> misses = new ArrayList<>();
        int rights = 0;
        for (int seed = 1; seed <= SEEDS && rights < (planned + 1) / 2; seed++) {
            for (Scene scene : DemoDiagnosis.REFERENCE_SCENES) {
                Path out = dir.resolve(scene.colour() + "-on-" + scene.background() + "-seed" + seed + ".png");
                Result r = vqclip("generate", "--prompt", scene.caption(), "--steps", Integer.toString(STEPS),
                        "--seed", Integer.toString(seed), "--out", out.toString(), "--quiet", "--device", "cpu");
                assertThat(r.exit()).as(r.err()).isZero();
                Verdict v = judge(scene, seed, Images.read(out));
                if (v.miss() == null) {
                    rights++;
                } else {
                    misses.add("\"" + scene.caption() + "\" " + v.miss());
                    if (v.border() != scene.background()) {
                        wrongBackgrounds.add("\"" + scene.caption() + "\" " + v.miss());
                    }
                }
            }
        }
        assertThat(wrongBackgrounds).as("runs whose border is not the prompt's background after %d steps", STEPS)
                .isEmpty();
        assertThat(misses).as("runs of %d whose picture is not the prompt's after %d steps (border = the "
                + "background's colour, commonest other colour = the shape's, over 3%% of the pixels)", planned, STEPS)
                .hasSizeLessThanOrEqualTo(planned / 2);
        assertThat(rights).isGreaterThanOrEqualTo((planned + 1) / 2);
    }

    /**
     * @param border the named colour of the picture's border
     * @param miss null when the picture shows the scene's colours, else what it shows instead
     */
    record Verdict(Colour border, String miss) {
    }

    private static Verdict judge(Scene scene, int seed, Frame f) {
        Colour border = DemoDiagnosis.dominant(f, DemoDiagnosis.border(f.width()));
        DemoDiagnosis.Vote shape = DemoDiagnosis.shapeColour(f);
        boolean right = border == scene.background() && shape.colour() == scene.colour() && shape.share() > 0.03;
        System.out.printf(Locale.ROOT, "demo generation \"%s\", seed %d: border %s, shape %s (%.1f%% of the "
                + "pixels) %s%n", scene.caption(), seed, border, shape.colour(), 100 * shape.share(),
                right ? "right" : "WRONG");
        return new Verdict(border, right ? null : String.format(Locale.ROOT, "seed %d: border %s, commonest other "
                + "colour %s (%.1f%%)", seed, border, shape.colour(), 100 * shape.share()));
    }

    @Test
    void generationIsNotLimitedToTheTrainingSize(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("big.png");
        Result r = vqclip("generate", "--prompt", "a red circle on a blue background", "--size", "256x256",
                "--steps", "5", "--seed", "1", "--out", out.toString(), "--quiet", "--device", "cpu");
        assertThat(r.exit()).as(r.err()).isZero();
        Frame f = Images.read(out);
        assertThat(f.width()).isEqualTo(256);
        assertThat(f.height()).isEqualTo(256);
        assertThat(Png.readText(out).get("vqclip.models")).startsWith("DEMO models");
    }

    @Test
    void editingRecoloursTheMaskedShapeAndLeavesTheRestMostlyAlone(@TempDir Path dir) throws IOException {
        int side = DemoModels.DEFAULT_SIZE;
        Scene scene = new Scene(Shape.CIRCLE, Colour.RED, Colour.BLUE, Size.MEDIUM, Position.CENTRE);
        Frame init = scene.render(side);
        boolean[] box = scene.shapeBox(side, side, 1.0);
        int[] maskPx = new int[side * side];
        for (int i = 0; i < maskPx.length; i++) {
            maskPx[i] = box[i] ? 0xffffffff : 0xff000000;
        }
        Path initFile = dir.resolve("init.png");
        Path maskFile = dir.resolve("mask.png");
        Path out = dir.resolve("edited.png");
        Png.write(initFile, init, Map.of());
        Png.write(maskFile, new Frame(side, side, maskPx), Map.of());
        Result r = vqclip("edit", "--init", initFile.toString(), "--mask", maskFile.toString(), "--prompt",
                "a green circle on a blue background", "--steps", "200", "--seed", "1", "--out", out.toString(),
                "--quiet", "--device", "cpu");
        assertThat(r.exit()).as(r.err()).isZero();
        Frame edited = Images.read(out);
        double inside = meanChange(init, edited, i -> box[i]);
        double outside = meanChange(init, edited, i -> !box[i]);
        boolean[] core = scene.shapeBox(side, side, 0.5);
        Colour centre = DemoDiagnosis.dominant(edited, i -> core[i]);
        System.out.printf(Locale.ROOT, "demo edit red -> green circle: mean change inside the mask %.1f, outside "
                + "%.1f (ratio %.1f); centre now %s%n", inside, outside, inside / outside, centre);
        // runs are deterministic since the GC-timing fix (docs/architecture.md). 200 steps: with the whole-scene
        // VQGAN the circle is green for seeds 1-5 at 200 steps, for 3 of 5 at 60 (docs/demo-models.md, F)
        assertThat(centre).as("the masked shape's new colour").isEqualTo(Colour.GREEN);
        assertThat(inside).isGreaterThan(4 * outside);
    }

    /** @return mean absolute RGB difference per channel (0..255) over the region */
    static double meanChange(Frame a, Frame b, IntPredicate region) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < a.argb().length; i++) {
            if (region.test(i)) {
                int p = a.argb()[i];
                int q = b.argb()[i];
                sum += Math.abs(((p >> 16) & 0xff) - ((q >> 16) & 0xff)) + Math.abs(((p >> 8) & 0xff)
                        - ((q >> 8) & 0xff)) + Math.abs((p & 0xff) - (q & 0xff));
                n += 3;
            }
        }
        return sum / n;
    }
}
