package dev.vqclip.cli;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.session.ImageMetadataTest;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** generate / edit end to end through the command line, on the tiny reference models. */
class GenerateCommandTest {
    private static List<String> models;

    @BeforeAll
    static void models() {
        Path r = Reference.dir();
        models = List.of("--vqgan", r.resolve("vqgan_tiny.ckpt").toString(), "--config",
                r.resolve("vqgan_tiny.yaml").toString(), "--clip", r.resolve("clip_tiny_jit.pt").toString(), "--vocab",
                r.resolve("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--device", "cpu");
    }

    private static CliRun run(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(models);
        return CliRun.of(all);
    }

    private static final String[] COMMON = {"--prompt", "a red apple | blurry:-0.5", "--size", "48x32", "--seed", "7",
        "--cutouts", "2", "--quiet"};

    private static String[] args(String... more) {
        List<String> a = new ArrayList<>(Arrays.asList(more));
        a.addAll(1, Arrays.asList(COMMON));
        return a.toArray(new String[0]);
    }

    @Test
    void savedRunResumedToTwentyEqualsOneRunOfTwentyPixelForPixel(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("r.vqrun");
        Path resumed = tmp.resolve("resumed.png");
        Path straight = tmp.resolve("straight.png");
        assertThat(run(args("generate", "--steps", "10", "--save-run", run.toString())).code()).isZero();
        assertThat(run("generate", "--resume", run.toString(), "--steps", "20", "--out", resumed.toString(),
                "--quiet").code()).isZero();
        CliRun r = run(args("generate", "--steps", "20", "--out", straight.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        Frame a = Images.read(resumed);
        Frame b = Images.read(straight);
        assertThat(a.width()).isEqualTo(48);
        assertThat(a.argb()).isEqualTo(b.argb());
        Map<String, String> md = Png.readText(straight);
        assertThat(md.get("vqclip.prompts")).isEqualTo("a red apple:1 | blurry:-0.5");
        assertThat(md.get("vqclip.step")).isEqualTo("20");
        assertThat(md.get("vqclip.settings")).contains("size=48x32").contains("cutouts=2");
    }

    @Test
    void paintOnAResumedRunRewritesOnlyThePaintedCells(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("r.vqrun");
        Path frame = tmp.resolve("frame.png");
        assertThat(run(args("generate", "--steps", "3", "--save-run", run.toString(), "--out", frame.toString()))
                .code()).isZero();
        Frame f = Images.read(frame);
        int[] px = f.argb().clone();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                px[y * f.width() + x] = 0xff00ff00;
            }
        }
        Path edited = tmp.resolve("edited.png");
        Png.write(edited, new Frame(f.width(), f.height(), px), Map.of());
        Path painted = tmp.resolve("painted.vqrun");
        CliRun r = run("generate", "--resume", run.toString(), "--steps", "3", "--paint", edited.toString(),
                "--save-run", painted.toString(), "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("re-encoded 1 latent cells");
        var before = dev.vqclip.session.RunFile.read(run).snapshot();
        var after = dev.vqclip.session.RunFile.read(painted).snapshot();
        int plane = before.rows() * before.cols();
        for (int i = 0; i < before.z().length; i++) {
            if (i % plane != 0) {
                assertThat(after.z()[i]).isEqualTo(before.z()[i]);
            }
        }
        assertThat(after.step()).isEqualTo(3);
    }

    @Test
    void editWithAMaskAndWithSelfMaskingRun(@TempDir Path tmp) throws Exception {
        Path init = tmp.resolve("init.png");
        int[] px = new int[48 * 32];
        Arrays.fill(px, 0xff2040c0);
        for (int y = 8; y < 24; y++) {
            for (int x = 8; x < 24; x++) {
                px[y * 48 + x] = 0xffd02020;
            }
        }
        Png.write(init, new Frame(48, 32, px), Map.of());
        int[] mpx = new int[48 * 32];
        Arrays.fill(mpx, 0xff000000);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                mpx[y * 48 + x] = 0xffffffff;
            }
        }
        Path mask = tmp.resolve("mask.png");
        Png.write(mask, new Frame(48, 32, mpx), Map.of());
        Path out = tmp.resolve("out.png");
        CliRun r = run("edit", "--init", init.toString(), "--mask", mask.toString(), "--prompt", "a green apple",
                "--steps", "3", "--size", "48x32", "--cutouts", "2", "--quiet", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("16 of 96 latent cells may change");
        Path out2 = tmp.resolve("out2.png");
        r = run("edit", "--init", init.toString(), "--replace", "a red square", "--with", "a green square",
                "--steps", "2", "--size", "48x32", "--cutouts", "2", "--quiet", "--out", out2.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("self-mask for \"a red square\"");
        assertThat(Files.exists(out2)).isTrue();
    }

    @Test
    void badInputGetsAClearErrorNamingTheProblem(@TempDir Path tmp) throws Exception {
        Path notImage = tmp.resolve("notes.png");
        Files.writeString(notImage, "<html>not an image</html>");
        CliRun r = run("edit", "--init", notImage.toString(), "--prompt", "x", "--out", tmp.resolve("o.png").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("notes.png").contains("not an image");
        r = run("generate", "--prompt", "a cat:1.2.3", "--out", tmp.resolve("o.png").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("'1.2.3' is not a number");
        r = run("generate", "--prompt", "a cat", "--size", "0x100", "--out", tmp.resolve("o.png").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--size 0x100");
        r = run("generate", "--resume", tmp.resolve("missing.vqrun").toString(), "--out", tmp.resolve("o.png").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("missing.vqrun");
    }

    @Test
    void aNonFiniteLossEndsTheCommandWithAnErrorAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("o.png");
        Path saved = tmp.resolve("r.vqrun");
        Path frames = tmp.resolve("frames");
        // 1e39 is a finite double but overflows the float the regulariser's weight becomes: the loss is +inf
        CliRun r = run(args("generate", "--steps", "4", "--l2", "1e39", "--out", out.toString(), "--save-run",
                saved.toString(), "--save-every", "1", "--frames", frames.toString()));
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err()).contains("error: step 1: the loss is +inf (regulariser: +inf")
                .contains("the run stopped at step 0, its last finite state")
                .contains("nothing was written to " + out + " or " + saved);
        assertThat(out).doesNotExist();
        assertThat(saved).doesNotExist();
        assertThat(frames).isEmptyDirectory();
    }

    @Test
    void aPromptMixingEmojiCjkRtlMarksAndNulRunsFiniteAndKeepsItsTextInTheMetadata(@TempDir Path tmp)
            throws Exception {
        String prompt = "a red circle \uD83D\uDE00 \u7ea2\u8272 \u200f\u0627 \u0000 on a blue background";
        Path out = tmp.resolve("o.png");
        CliRun r = run("generate", "--prompt", prompt, "--size", "48x32", "--seed", "1", "--cutouts", "2", "--steps",
                "5", "--quiet", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Frame f = Images.read(out);
        assertThat(Arrays.stream(f.argb()).distinct().count()).as("not a flat image").isGreaterThan(1);
        assertThat(Png.readText(out).get("vqclip.prompts")).isEqualTo(prompt + ":1");
    }

    @Test
    void aPromptInThreeScriptsReadsBackExactlyWithTheKeysTheStudioWrites(@TempDir Path tmp) throws Exception {
        String prompt = "猫 café ñ";
        Path out = tmp.resolve("猫.png");
        CliRun r = run("generate", "--prompt", prompt, "--size", "48x32", "--seed", "3", "--cutouts", "2", "--steps",
                "2", "--quiet", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        ImageMetadataTest.assertReadsBack(Files.readAllBytes(out), prompt, 3, 2);
    }
}
