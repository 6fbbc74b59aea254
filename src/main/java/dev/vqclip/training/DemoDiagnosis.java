package dev.vqclip.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.augment.CutoutAugmenter;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.guide.SphericalLoss;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.vqgan.Vqgan;

import dev.vqclip.models.DemoModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Measurements that tell why generation with a demo model pair does or does not draw what the prompt names
 * ({@code vqclip train-demo --diagnose}):
 * <ol>
 *   <li>the VQGAN's colour range: the dominant named colours of the centre and the border of reconstructions of the
 *   reference scenes, and the colour each single code decodes to when it fills the whole latent;</li>
 *   <li>CLIP against the optimiser: the guidance loss (squared spherical distance, averaged over the same random
 *   cutouts and augmentations a run uses) of the true scene, its VQGAN reconstruction, plain colour fields and any
 *   generated images, for each prompt. If a wrong image scores better than the reconstruction, CLIP is
 *   exploitable; if the reconstruction scores best, the run cannot reach it.</li>
 * </ol>
 * Stateless; every array lives in a manager opened and closed per call.
 */
public final class DemoDiagnosis {
    /** The scenes the generation test prompts describe. */
    public static final List<ShapesWorld.Scene> REFERENCE_SCENES = List.of(
            new ShapesWorld.Scene(ShapesWorld.Shape.CIRCLE, ShapesWorld.Colour.RED, ShapesWorld.Colour.BLUE,
                    ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE),
            new ShapesWorld.Scene(ShapesWorld.Shape.SQUARE, ShapesWorld.Colour.YELLOW, ShapesWorld.Colour.PURPLE,
                    ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE),
            new ShapesWorld.Scene(ShapesWorld.Shape.CIRCLE, ShapesWorld.Colour.WHITE, ShapesWorld.Colour.BLACK,
                    ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE),
            new ShapesWorld.Scene(ShapesWorld.Shape.SQUARE, ShapesWorld.Colour.GREEN, ShapesWorld.Colour.RED,
                    ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE));

    private DemoDiagnosis() {
    }

    /**
     * Runs both measurements and reports them line by line.
     *
     * @param dir a demo model folder (the files {@link DemoTraining} writes)
     * @param generated optional folder with generated images {@code p1.png .. p4.png} for the reference prompts
     * @param side image side to measure at (the demo default is {@link DemoModels#DEFAULT_SIZE})
     * @param log receives the report
     * @throws IOException when a file cannot be read
     */
    public static void run(Path dir, Path generated, int side, Consumer<String> log) throws IOException {
        Device device = Device.cpu();
        try (Vqgan vqgan = Vqgan.load(dir.resolve(DemoModels.VQGAN_FILE), dir.resolve(DemoModels.VQGAN_YAML),
                device); Clip clip = Clip.load(dir.resolve(DemoModels.CLIP_FILE), device);
             NDManager m = NDManager.newBaseManager(device)) {
            ClipTokenizer tok = ClipTokenizer.load(dir.resolve(DemoModels.VOCAB_FILE));
            log.accept("== VQGAN reconstructions at " + side + " px (centre / border dominant colour)");
            List<Frame> recons = new ArrayList<>();
            for (ShapesWorld.Scene s : REFERENCE_SCENES) {
                Frame r = reconstruct(vqgan, m, s.render(side));
                recons.add(r);
                log.accept(String.format(Locale.ROOT, "  %-40s -> centre %s, border %s", s.caption(),
                        dominant(r, centre(s, side)), dominant(r, border(side))));
            }
            log.accept(String.format(Locale.ROOT, "== VQGAN reconstructions of %d whole %d px scenes: %s",
                    RECONSTRUCTION_SCENES.size(), side, reconstructionScore(vqgan, m, side)));
            // a uniform latent gives uniform feature maps, which GroupNorm flattens: what survives comes from the
            // zero padding at the edges, so this shows the decoder's colour bias more than its range
            int codeSide = 64;
            log.accept("== single codes filling a " + codeSide + " px latent: named colour of the mean pixel -> codes");
            Map<ShapesWorld.Colour, List<Integer>> byColour = new EnumMap<>(ShapesWorld.Colour.class);
            float[] book = vqgan.codebook().toFloatArray();
            int c = vqgan.embedDim();
            int g = codeSide / vqgan.factor();
            for (int k = 0; k < book.length / c; k++) {
                try (NDManager sm = m.newSubManager()) {
                    float[] z = new float[c * g * g];
                    for (int ch = 0; ch < c; ch++) {
                        java.util.Arrays.fill(z, ch * g * g, (ch + 1) * g * g, book[k * c + ch]);
                    }
                    Frame f = toFrame(vqgan.decode(sm.create(z, new Shape(1, c, g, g))), codeSide);
                    double[] mean = meanRgb(f);
                    byColour.computeIfAbsent(ShapesWorld.Colour.nearest(mean[0], mean[1], mean[2]),
                            x -> new ArrayList<>()).add(k);
                }
            }
            for (ShapesWorld.Colour col : ShapesWorld.Colour.values()) {
                log.accept(String.format(Locale.ROOT, "  %-7s %3d codes", col.word(),
                        byColour.getOrDefault(col, List.of()).size()));
            }
            log.accept("== guidance loss (mean squared spherical distance over 4 x 32 augmented cutouts; lower is "
                    + "preferred) per prompt");
            CutoutAugmenter aug = new CutoutAugmenter(clip.imageResolution(), 32, 1.0, Augmentations.defaults());
            for (int i = 0; i < REFERENCE_SCENES.size(); i++) {
                ShapesWorld.Scene s = REFERENCE_SCENES.get(i);
                String prompt = s.caption();
                Map<String, Frame> candidates = new LinkedHashMap<>();
                candidates.put("true scene", s.render(side));
                candidates.put("VQGAN reconstruction", recons.get(i));
                if (generated != null && Files.isRegularFile(generated.resolve("p" + (i + 1) + ".png"))) {
                    Frame gen = Images.read(generated.resolve("p" + (i + 1) + ".png"));
                    candidates.put("generated", gen);
                    Vote drawn = shapeColour(gen);
                    log.accept(String.format(Locale.ROOT, "  generated p%d: border %s, besides the background %s "
                            + "(%.1f%% of the image)", i + 1, dominant(gen, border(gen.width())), drawn.colour(),
                            100 * drawn.share()));
                }
                candidates.put("swapped colours", new ShapesWorld.Scene(s.shape(), s.background(), s.colour(),
                        s.size(), s.position()).render(side));
                for (ShapesWorld.Colour col : ShapesWorld.Colour.values()) {
                    int[] px = new int[side * side];
                    java.util.Arrays.fill(px, 0xff000000 | col.rgb());
                    candidates.put("plain " + col.word(), new Frame(side, side, px));
                }
                log.accept("  prompt \"" + prompt + "\"");
                try (NDManager sm = m.newSubManager()) {
                    NDArray target = SphericalLoss.normalize(clip.encodeText(sm,
                            new long[][] {tok.tokenize(prompt, clip.contextLength(), true)}));
                    List<Map.Entry<String, Double>> rows = new ArrayList<>();
                    for (Map.Entry<String, Frame> e : candidates.entrySet()) {
                        rows.add(Map.entry(e.getKey(), guidanceLoss(clip, aug, sm, e.getValue(), target)));
                    }
                    rows.sort(Map.Entry.comparingByValue());
                    for (Map.Entry<String, Double> r : rows) {
                        log.accept(String.format(Locale.ROOT, "    %.4f  %s", r.getValue(), r.getKey()));
                    }
                }
            }
        }
    }

    /**
     * Centred circles and squares, medium and large, in every colour pair: 224 scenes whose shape centre and border
     * a reconstruction must keep.
     */
    static final List<ShapesWorld.Scene> RECONSTRUCTION_SCENES = reconstructionScenes();

    private static List<ShapesWorld.Scene> reconstructionScenes() {
        List<ShapesWorld.Scene> out = new ArrayList<>();
        for (ShapesWorld.Shape sh : List.of(ShapesWorld.Shape.CIRCLE, ShapesWorld.Shape.SQUARE)) {
            for (ShapesWorld.Size size : List.of(ShapesWorld.Size.MEDIUM, ShapesWorld.Size.LARGE)) {
                for (ShapesWorld.Colour c : ShapesWorld.Colour.values()) {
                    for (ShapesWorld.Colour bg : ShapesWorld.Colour.values()) {
                        if (c != bg) {
                            out.add(new ShapesWorld.Scene(sh, c, bg, size, ShapesWorld.Position.CENTRE));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * @return how many of {@link #RECONSTRUCTION_SCENES} come back with the right named colour in both the shape's
     *     centre and the border, and how many with each right
     */
    static String reconstructionScore(Vqgan vqgan, NDManager m, int side) {
        int both = 0;
        int centre = 0;
        int border = 0;
        for (ShapesWorld.Scene s : RECONSTRUCTION_SCENES) {
            Frame r = reconstruct(vqgan, m, s.render(side));
            boolean c = dominant(r, centre(s, side)) == s.colour();
            boolean b = dominant(r, border(side)) == s.background();
            centre += c ? 1 : 0;
            border += b ? 1 : 0;
            both += c && b ? 1 : 0;
        }
        return String.format(Locale.ROOT, "%d right (shape centre %d, border %d)", both, centre, border);
    }

    /** @return the mean guidance loss of the frame over 4 fixed batches of augmented cutouts */
    static double guidanceLoss(Clip clip, CutoutAugmenter aug, NDManager m, Frame f, NDArray target) {
        double sum = 0;
        try (NDManager sm = m.newSubManager()) {
            NDArray img = sm.create(f.toPlanarRgb(), new Shape(1, 3, f.height(), f.width()));
            for (int rep = 0; rep < 4; rep++) {
                NDArray cut = aug.apply(img, new SplittableRandom(1000 + rep));
                NDArray a = SphericalLoss.normalize(clip.encodeImage(clip.normalize(cut)));
                sum += SphericalLoss.distance(a, target).mean().getFloat();
            }
        }
        return sum / 4;
    }

    /** @return encode, quantise, decode */
    static Frame reconstruct(Vqgan vqgan, NDManager m, Frame f) {
        try (NDManager sm = m.newSubManager()) {
            NDArray pixels = Tensors.fromHost(sm, f.toPlanarRgb(), new Shape(1, 3, f.height(), f.width()));
            NDArray x = Tensors.mul(pixels, 2).sub(1);
            NDArray zq = vqgan.quantizeEncoded(vqgan.encode(x)).zqExact();
            return toFrame(vqgan.decode(zq), f.width());
        }
    }

    private static Frame toFrame(NDArray decoded, int side) {
        float[] px = Tensors.div(decoded.add(1), 2).clip(0, 1).toFloatArray();
        return Frame.fromPlanarRgb(px, side, side);
    }

    /** @return the centre half of the scene's shape box */
    public static IntPredicate centre(ShapesWorld.Scene s, int side) {
        boolean[] box = s.shapeBox(side, side, 0.5);
        return i -> box[i];
    }

    /** @return the outer eighth of the image on every side */
    public static IntPredicate border(int side) {
        int b = side / 8;
        return i -> {
            int x = i % side;
            int y = i / side;
            return x < b || y < b || x >= side - b || y >= side - b;
        };
    }

    /** @return the named colour most pixels of the region are nearest to */
    public static ShapesWorld.Colour dominant(Frame f, IntPredicate region) {
        return votes(f, region).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** @return for each named colour, how many pixels of the region are nearest to it */
    private static Map<ShapesWorld.Colour, Integer> votes(Frame f, IntPredicate region) {
        Map<ShapesWorld.Colour, Integer> votes = new EnumMap<>(ShapesWorld.Colour.class);
        for (int i = 0; i < f.argb().length; i++) {
            if (region.test(i)) {
                int p = f.argb()[i];
                votes.merge(ShapesWorld.Colour.nearest((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff), 1,
                        Integer::sum);
            }
        }
        return votes;
    }

    /**
     * @param colour the named colour most of the pixels are nearest to
     * @param share their fraction of the whole image
     */
    public record Vote(ShapesWorld.Colour colour, double share) {
    }

    /**
     * How close (Euclidean RGB) a pixel must be to the background as drawn (the mean of the border's pixels named like
     * the border) to count as background whatever its nearest name: half the smallest distance between two named colours (red and orange, 113), so no pixel of
     * another named colour's own shade is ever taken for background.
     */
    static final double BACKGROUND_RADIUS = smallestNameDistance() / 2;

    private static double smallestNameDistance() {
        double min = Double.MAX_VALUE;
        for (ShapesWorld.Colour a : ShapesWorld.Colour.values()) {
            for (ShapesWorld.Colour b : ShapesWorld.Colour.values()) {
                if (a != b) {
                    min = Math.min(min, Math.sqrt(sq(a.r - b.r) + sq(a.g - b.g) + sq(a.b - b.b)));
                }
            }
        }
        return min;
    }

    private static double sq(double v) {
        return v * v;
    }

    /**
     * What a generated picture shows besides its background (the border, {@link #border}): the named colour most
     * pixels are nearest to among those that are not background, with those pixels' share of the whole image. A pixel
     * is background when its nearest name is the border's, or when it lies within {@link #BACKGROUND_RADIUS} of the
     * mean colour of the border's pixels of that name (the background as drawn; junk in the border does not move it).
     * A decoder draws a background in shades, and a violet blue halfway between blue and purple is the background's
     * shade, not a purple shape: on an AMD EPYC such a background gave 13.4% of the pixels to purple, more than the
     * red circle drawn on it, which was judged a purple one.
     */
    public static Vote shapeColour(Frame f) {
        IntPredicate edge = border(f.width());
        ShapesWorld.Colour background = dominant(f, edge);
        int[] px = f.argb();
        double[] mean = new double[3];
        int n = 0;
        for (int i = 0; i < px.length; i++) {
            int r = (px[i] >> 16) & 0xff;
            int g = (px[i] >> 8) & 0xff;
            int b = px[i] & 0xff;
            if (edge.test(i) && ShapesWorld.Colour.nearest(r, g, b) == background) {
                mean[0] += r;
                mean[1] += g;
                mean[2] += b;
                n++;
            }
        }
        for (int k = 0; k < 3; k++) {
            mean[k] /= n;
        }
        Map<ShapesWorld.Colour, Integer> votes = new EnumMap<>(ShapesWorld.Colour.class);
        for (int p : px) {
            int r = (p >> 16) & 0xff;
            int g = (p >> 8) & 0xff;
            int b = p & 0xff;
            ShapesWorld.Colour c = ShapesWorld.Colour.nearest(r, g, b);
            double d = Math.sqrt(sq(r - mean[0]) + sq(g - mean[1]) + sq(b - mean[2]));
            if (c != background && d >= BACKGROUND_RADIUS) {
                votes.merge(c, 1, Integer::sum);
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> new Vote(e.getKey(), (double) e.getValue() / px.length))
                .orElse(new Vote(background, 0));
    }

    private static double[] meanRgb(Frame f) {
        double[] s = new double[3];
        for (int p : f.argb()) {
            s[0] += (p >> 16) & 0xff;
            s[1] += (p >> 8) & 0xff;
            s[2] += p & 0xff;
        }
        int n = f.argb().length;
        return new double[] {s[0] / n, s[1] / n, s[2] / n};
    }
}
