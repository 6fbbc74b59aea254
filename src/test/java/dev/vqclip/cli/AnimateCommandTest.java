package dev.vqclip.cli;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.run.FrameTransform;
import dev.vqclip.media.Mp4Reader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vqclip animate} on the bundled demo models: 24 frames at 64x64 as PNGs and a readable MP4, content that
 * moves outwards under a zoom, and an animation stopped at frame 10 and resumed that equals the uninterrupted one.
 */
class AnimateCommandTest {
    private static final Path DEMO = Path.of("assets", "models", "demo");
    private static final double ZOOM = 1.06;
    private static final int FRAMES = 24;

    @TempDir
    static Path tmp;
    private static Path straight;
    private static CliRun straightRun;

    private static List<String> args(String... more) {
        List<String> a = new ArrayList<>(Arrays.asList("animate"));
        a.addAll(Arrays.asList(more));
        a.addAll(List.of("--vqgan", DEMO.resolve("vqgan.safetensors").toString(), "--config",
                DEMO.resolve("vqgan.yaml").toString(), "--clip", DEMO.resolve("clip.safetensors").toString(),
                "--vocab", DEMO.resolve("bpe.txt.gz").toString(), "--device", "cpu"));
        return a;
    }

    private static final String[] PLAN = {"--prompt", "a red circle on a blue background", "--size", "64x64",
        "--seed", "5", "--cutouts", "4", "--first-steps", "20", "--steps-per-frame", "4",
        "--zoom", Double.toString(ZOOM)};

    private static List<String> plan(String... more) {
        List<String> a = new ArrayList<>(Arrays.asList(PLAN));
        a.addAll(Arrays.asList(more));
        return args(a.toArray(new String[0]));
    }

    @BeforeAll
    static void animateOnce() {
        straight = tmp.resolve("straight");
        straightRun = CliRun.of(plan("--frames", Integer.toString(FRAMES), "--frames-dir", straight.toString(),
                "--out", tmp.resolve("v.mp4").toString(), "--fps", "8"));
    }

    private static Frame frame(Path dir, int k) {
        return Images.read(AnimateCommand.framePath(dir, k));
    }

    private static double mse(Frame a, Frame b) {
        double se = 0;
        for (int i = 0; i < a.argb().length; i++) {
            for (int s = 0; s <= 16; s += 8) {
                int d = ((a.argb()[i] >> s) & 0xff) - ((b.argb()[i] >> s) & 0xff);
                se += d * d;
            }
        }
        return se / (3.0 * a.argb().length);
    }

    @Test
    void writesEveryFrameAsPngAndAnMp4ThatReadsBackWithTheSameFrames() throws Exception {
        assertThat(straightRun.code()).as(straightRun.err()).isZero();
        assertThat(straightRun.err()).contains("frame 24/24").contains("time left").contains("wrote ");
        for (int k = 0; k < FRAMES; k++) {
            Frame f = frame(straight, k);
            assertThat(f.width()).isEqualTo(64);
            assertThat(f.height()).isEqualTo(64);
        }
        assertThat(Files.exists(AnimateCommand.framePath(straight, FRAMES))).isFalse();
        List<Frame> video = Mp4Reader.read(tmp.resolve("v.mp4"));
        assertThat(video).hasSize(FRAMES);
        for (int k = 0; k < FRAMES; k++) {
            assertThat(video.get(k).width()).isEqualTo(64);
            assertThat(video.get(k).height()).isEqualTo(64);
            double psnr = 10 * Math.log10(255.0 * 255 / Math.max(1e-9, mse(video.get(k), frame(straight, k))));
            assertThat(psnr).as("PSNR of video frame %d against its PNG", k).isGreaterThan(24);
        }
        // no scratch files are left beside the frames
        try (var files = Files.list(straight)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))).isEmpty();
        }
    }

    @Test
    void theZoomMovesContentOutwardsBetweenFrames() {
        // Frame k+4 matches frame k zoomed by the plan's factor over those four frames better than frame k as it
        // was, or zoomed inwards by as much. (Between neighbouring frames the move is ~2 px at the edge of a 64 px
        // frame, less than the demo VQGAN's 8 px cells, so each re-encoding blurs it; over four frames it is clear.)
        int gap = 4;
        double zoom = Math.pow(ZOOM, gap);
        int outwards = 0;
        int pairs = 0;
        double errZoom = 0;
        double errStill = 0;
        double errInwards = 0;
        for (int k = 1; k + gap < FRAMES; k++) {
            Frame a = frame(straight, k);
            Frame b = frame(straight, k + gap);
            double z = mse(b, new FrameTransform(zoom, 0, 0, 0).apply(a));
            double still = mse(b, a);
            double in = mse(b, new FrameTransform(1 / zoom, 0, 0, 0).apply(a));
            errZoom += z;
            errStill += still;
            errInwards += in;
            pairs++;
            if (z < still && z < in) {
                outwards++;
            }
        }
        System.out.printf("zoom %.2f over %d frames: summed MSE zoomed %.0f, still %.0f, inwards %.0f; %d of %d "
                + "pairs best explained by the outward zoom%n", zoom, gap, errZoom, errStill, errInwards, outwards,
                pairs);
        assertThat(errZoom).as("summed MSE: zoomed %f, still %f, inwards %f", errZoom, errStill, errInwards)
                .isLessThan(0.8 * errStill).isLessThan(0.8 * errInwards);
        assertThat(outwards).as("frame pairs best explained by the outward zoom").isGreaterThan(pairs * 3 / 4);
    }

    @Test
    void anAnimationStoppedAtFrameTenAndResumedEqualsTheUninterruptedOne() {
        Path dir = tmp.resolve("stopped");
        CliRun first = CliRun.of(plan("--frames", "10", "--frames-dir", dir.toString()));
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(Files.exists(AnimateCommand.framePath(dir, 9))).isTrue();
        assertThat(Files.exists(AnimateCommand.framePath(dir, 10))).isFalse();
        CliRun rest = CliRun.of(args("--resume", dir.toString(), "--frames", Integer.toString(FRAMES)));
        assertThat(rest.code()).as(rest.err()).isZero();
        assertThat(rest.err()).doesNotContain("frame 10/24").contains("frame 11/24").contains("frame 24/24");
        for (int k = 0; k < FRAMES; k++) {
            assertThat(frame(dir, k).argb()).as("frame %d", k).isEqualTo(frame(straight, k).argb());
        }
    }

    @Test
    void badPlansAreRefusedBeforeAnyModelLoadsNamingTheProblem() {
        CliRun avi = CliRun.of(plan("--frames", "3", "--out", tmp.resolve("v.avi").toString()));
        assertThat(avi.code()).isNotZero();
        assertThat(avi.err()).contains("v.avi: the video must end in .mp4 or .gif");
        CliRun zoom = CliRun.of(args("--prompt", "a", "--frames", "3", "--zoom", "0:1,5:zero", "--frames-dir",
                tmp.resolve("z").toString()));
        assertThat(zoom.err()).contains("--zoom \"0:1,5:zero\": 'zero' is not a finite number");
        CliRun again = CliRun.of(plan("--frames", "3", "--frames-dir", straight.toString()));
        assertThat(again.err()).contains("already holds an animation; continue it with --resume");
        CliRun nothing = CliRun.of(args("--resume", tmp.resolve("nowhere").toString()));
        assertThat(nothing.err()).contains("holds no animation (animation.json is missing)");
        for (CliRun r : List.of(avi, zoom, again, nothing)) {
            assertThat(r.err()).doesNotContain("loading");
        }
    }
}
