package dev.vqclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.FrameSource;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.run.Animation;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.Keyframes;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.run.RunOutOfMemoryException;
import dev.vqclip.media.Mp4Writer;
import dev.vqclip.models.DemoModels;
import dev.vqclip.session.AnimationJson;
import dev.vqclip.session.ImageMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vqclip animate}: the zoom/rotate/pan video loop. Frames are PNGs in a folder with the plan beside them
 * ({@code animation.json}), so an animation that was stopped continues with {@code --resume FOLDER} exactly as if it
 * had not; the video files are made from the frames at the end.
 */
@Command(name = "animate", mixinStandardHelpOptions = true,
        description = "Make an animation: generate a first frame, then move it (zoom, rotate, pan) and keep "
                + "generating into it, frame after frame; writes the frames as PNGs and an MP4 or GIF.")
public final class AnimateCommand implements Callable<Integer> {
    static final String PLAN_FILE = "animation.json";
    private static final int FORMAT = 1;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt"}, description = "Text prompts: \"text[:weight[:stop]] | ...\".")
    String prompt;

    @Option(names = "--frames", description = "Number of frames (default ${DEFAULT-VALUE}; with --resume, the new total).")
    Integer frames;

    @Option(names = "--steps-per-frame", description = "Steps of each frame after the first (default ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int stepsPerFrame;

    @Option(names = "--first-steps", description = "Steps of the first frame (default ${DEFAULT-VALUE}).",
            defaultValue = "100")
    int firstSteps;

    @Option(names = "--zoom", paramLabel = "Z|F:Z,...", defaultValue = "1.0",
            description = "Zoom per frame about the centre (1.02 = 2%% closer each frame), or keyframes such as "
                    + "\"0:1.0,60:1.05\" (linear between keys). Default ${DEFAULT-VALUE}.")
    String zoom;

    @Option(names = "--rotate", paramLabel = "DEG|F:DEG,...", defaultValue = "0",
            description = "Rotation per frame in degrees (counter-clockwise), or keyframes. Default ${DEFAULT-VALUE}.")
    String rotate;

    @Option(names = "--pan-x", paramLabel = "PX|F:PX,...", defaultValue = "0",
            description = "Pan per frame in pixels (positive: content moves right), or keyframes.")
    String panX;

    @Option(names = "--pan-y", paramLabel = "PX|F:PX,...", defaultValue = "0",
            description = "Pan per frame in pixels (positive: content moves down), or keyframes.")
    String panY;

    @Option(names = "--size", paramLabel = "WxH", description = "Frame size (default 256x256; "
            + DemoModels.DEFAULT_SIZE + "x" + DemoModels.DEFAULT_SIZE + " with the bundled demo models).")
    String size;

    @Option(names = "--seed", description = "Random seed; frame k uses seed + k (default ${DEFAULT-VALUE}).",
            defaultValue = "0")
    long seed;

    @Option(names = "--cutouts", description = "Cutouts per step (default ${DEFAULT-VALUE}).", defaultValue = "32")
    int cutouts;

    @Option(names = "--lr", description = "Adam learning rate (default ${DEFAULT-VALUE}).", defaultValue = "0.15")
    double lr;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE.mp4|FILE.gif",
            description = "Video file(s) to make from the frames (repeatable): .mp4 (H.264) or .gif.")
    List<Path> out = new ArrayList<>();

    @Option(names = "--fps", description = "Frames per second of the video (default ${DEFAULT-VALUE}).",
            defaultValue = "12")
    int fps;

    @Option(names = "--frames-dir", paramLabel = "FOLDER",
            description = "Folder of the frame PNGs and the plan (default: beside the first --out, named after it "
                    + "with -frames).")
    Path framesDir;

    @Option(names = "--resume", paramLabel = "FOLDER",
            description = "Continue the animation in FOLDER from its last finished frame (its plan, prompts and "
                    + "settings are used; --frames may raise the total).")
    Path resume;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        Plan plan = resume != null ? resumedPlan() : newPlan();
        for (Path o : out) {
            videoKind(o);
        }
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException("--fps " + fps + " is outside 1..120");
        }
        if (plan.animation.frames() > Animation.MAX_FRAMES) {
            throw new IllegalArgumentException("--frames " + plan.animation.frames() + " is over the limit of "
                    + Animation.MAX_FRAMES);
        }
        Path dir = plan.dir;
        Files.createDirectories(dir);
        int done = finishedFrames(dir, plan.animation.frames());
        try (RunModels models = modelOptions.load(System.err)) {
            GenerationRequest base = request(plan, models.demo());
            MemoryGate.require(models, base.width(), base.height(), base.cutouts(), modelOptions.memoryLimit);
            writePlan(dir, plan, base, models.description());
            Frame previous = done == 0 ? null : Images.read(framePath(dir, done - 1));
            long started = System.nanoTime();
            for (int k = done; k < plan.animation.frames(); k++) {
                final int index = k;
                long t0 = System.nanoTime();
                double[] lastLoss = {Double.NaN};
                Frame f;
                try {
                    f = plan.animation.render(models, base, k, previous, dir, (fr, e) -> lastLoss[0] = e.totalLoss(),
                            () -> false);
                } catch (RunOutOfMemoryException e) {
                    throw new IllegalStateException("frame " + (k + 1) + ": " + e.getMessage() + ". The " + k
                            + " finished frames are in " + dir + "; continue with: vqclip animate --resume " + dir, e);
                }
                Map<String, String> text = new LinkedHashMap<>(ImageMetadata.of(
                        base.withSteps(plan.animation.stepsOf(k)).withSeed(Animation.seedOf(base.seed(), k)),
                        plan.animation.stepsOf(k), models.description()));
                text.put("vqclip.frame", Integer.toString(k));
                Png.write(framePath(dir, k), f, text);
                previous = f;
                if (!quiet) {
                    double sec = (System.nanoTime() - t0) / 1e9;
                    double perFrame = (System.nanoTime() - started) / 1e9 / (k - done + 1);
                    long left = Math.round(perFrame * (plan.animation.frames() - k - 1));
                    System.err.printf(Locale.ROOT, "frame %d/%d: %d steps, loss %.4f, %.1f s, time left %d:%02d%n",
                            index + 1, plan.animation.frames(), plan.animation.stepsOf(index), lastLoss[0], sec,
                            left / 60, left % 60);
                }
            }
        }
        int n = plan.animation.frames();
        FrameSource source = FrameSource.of(n, index -> Images.read(framePath(dir, index)));
        for (Path o : out) {
            if (videoKind(o).equals("mp4")) {
                Mp4Writer.write(o, source, fps, i -> { });
            } else {
                // GIF counts delays in hundredths of a second: at most 50 frames per second
                Images.writeGif(o, source, Math.max(20, Math.round(1000f / fps)), i -> { });
            }
            System.err.println("wrote " + o + " (" + n + " frames, " + fps + " fps)");
        }
        System.err.println("frames in " + dir);
        return 0;
    }

    /** What an animation is made of, as given or as read back from its folder. */
    private record Plan(Path dir, Animation animation, String prompt, int[] size, long seed, int cutouts,
                        double lr) {
    }

    private Plan newPlan() {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("give --prompt (or --resume FOLDER to continue an animation)");
        }
        PromptParser.parse(prompt);
        if (frames == null) {
            throw new IllegalArgumentException("give --frames N");
        }
        if (out.isEmpty() && framesDir == null) {
            throw new IllegalArgumentException("give --out VIDEO.mp4 (or .gif) and/or --frames-dir FOLDER");
        }
        Path dir = framesDir != null ? framesDir : defaultDir(out.get(0));
        if (Files.exists(dir.resolve(PLAN_FILE))) {
            throw new IllegalArgumentException(dir + " already holds an animation; continue it with --resume " + dir
                    + " or choose another --frames-dir");
        }
        Animation a = new Animation(frames, stepsPerFrame, firstSteps, Keyframes.parse(zoom, "--zoom"),
                Keyframes.parse(rotate, "--rotate"), Keyframes.parse(panX, "--pan-x"),
                Keyframes.parse(panY, "--pan-y"));
        int[] wh = size == null ? null : GenerateCommand.parseSize(size);
        return new Plan(dir, a, prompt, wh, seed, cutouts, lr);
    }

    private Plan resumedPlan() throws IOException {
        if (prompt != null || size != null) {
            throw new IllegalArgumentException("--resume continues an animation with its own prompts and size; "
                    + "leave out --prompt and --size");
        }
        Path file = resume.resolve(PLAN_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(resume + " holds no animation (" + PLAN_FILE + " is missing)");
        }
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a readable animation plan: " + e.getMessage());
        }
        if (root.path("format").asInt(-1) != FORMAT) {
            throw new IllegalArgumentException(file + ": unknown animation format " + root.path("format"));
        }
        try {
            Animation a = AnimationJson.readPlan(root, "animation");
            if (frames != null) {
                a = a.withFrames(frames);
            }
            String p = root.path("prompt").asText();
            PromptParser.parse(p);
            int[] wh = {root.path("width").asInt(), root.path("height").asInt()};
            if (out.isEmpty() && framesDir == null) {
                framesDir = resume;
            }
            return new Plan(resume, a, p, wh, root.path("seed").asLong(), root.path("cutouts").asInt(),
                    root.path("lr").asDouble());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private GenerationRequest request(Plan p, boolean demo) {
        int[] wh = p.size != null ? p.size : demo ? new int[] {DemoModels.DEFAULT_SIZE, DemoModels.DEFAULT_SIZE}
                : new int[] {256, 256};
        return new GenerationRequest(PromptParser.parse(p.prompt), List.of(), wh[0], wh[1],
                p.animation.firstSteps(), p.seed, p.cutouts, 1.0, p.lr, 0.9, 0.999, 0.1, 0.005,
                Augmentations.defaults(), GenerationRequest.Init.RANDOM_CODES, null, false);
    }

    private void writePlan(Path dir, Plan p, GenerationRequest base, String models) throws IOException {
        ObjectNode root = json.createObjectNode();
        Animation a = p.animation;
        root.put("format", FORMAT);
        root.put("prompt", p.prompt);
        root.put("width", base.width());
        root.put("height", base.height());
        root.put("seed", p.seed);
        root.put("cutouts", p.cutouts);
        root.put("lr", p.lr);
        AnimationJson.putPlan(root, a);
        root.put("models", models);
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        AtomicFiles.write(dir.resolve(PLAN_FILE), o -> o.write(bytes));
    }

    /** @return how many frames from 0 on already exist (a frame is written atomically, so existing means whole) */
    private static int finishedFrames(Path dir, int total) {
        int k = 0;
        while (k < total && Files.isRegularFile(framePath(dir, k))) {
            k++;
        }
        return k;
    }

    static Path framePath(Path dir, int index) {
        return dir.resolve(String.format(Locale.ROOT, "%05d.png", index));
    }

    private static Path defaultDir(Path video) {
        String name = video.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path parent = video.toAbsolutePath().getParent();
        return parent.resolve((dot > 0 ? name.substring(0, dot) : name) + "-frames");
    }

    private static String videoKind(Path o) {
        String n = o.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".mp4")) {
            return "mp4";
        }
        if (n.endsWith(".gif")) {
            return "gif";
        }
        throw new IllegalArgumentException("--out " + o + ": the video must end in .mp4 or .gif");
    }

}
