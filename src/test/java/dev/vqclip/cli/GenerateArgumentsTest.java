package dev.vqclip.cli;

import dev.vqclip.engine.NativeStderr;
import dev.vqclip.session.SessionData;
import dev.vqclip.session.SessionStore;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** generate's arguments are checked before any model loads, its messages are complete, and its progress is readable. */
class GenerateArgumentsTest {
    @TempDir
    static Path tmp;
    private static List<String> models;
    /** The tiny models, except that the VQGAN's weights are not a checkpoint: loading them would fail. */
    private static List<String> unloadable;

    @BeforeAll
    static void models() throws Exception {
        Path r = Reference.dir();
        Path junk = tmp.resolve("unloadable.ckpt");
        Files.writeString(junk, "not a checkpoint");
        Files.writeString(tmp.resolve("notes.txt"), "a file");
        models = List.of("--vqgan", r.resolve("vqgan_tiny.ckpt").toString(), "--config",
                r.resolve("vqgan_tiny.yaml").toString(), "--clip", r.resolve("clip_tiny_jit.pt").toString(), "--vocab",
                r.resolve("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--device", "cpu");
        unloadable = new ArrayList<>(models);
        unloadable.set(1, junk.toString());
    }

    private static CliRun run(List<String> modelArgs, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(modelArgs);
        return CliRun.of(all);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--size|0x0|--size 0x0: width and height must be positive",
        "--size|2x9|--size 2x9: each side must be at least 4 pixels, one latent cell of the VQGAN",
        "--size|64by64|--size 64by64: expected WIDTHxHEIGHT",
        "--steps|-1|--steps -1: must be 0 or more",
        "--cutouts|0|--cutouts 0: must be 1 to 1024",
        "--seed|abc|'abc' is not a long",
        "--lr|0|--lr 0.0: must be a number greater than 0",
        "--l2-decay|2|--l2-decay 2.0: must be between 0 and 1",
        "--prompt|a red circle:abc|'abc' is not a number",
        "--image-prompt|TMP/missing.png|missing.png: no such file",
        "--out|TMP/no/such/folder/o.png|the folder",
        "--frames|TMP/notes.txt|notes.txt: is a file, not a folder"})
    void aBadValueFailsAtOnceWithoutLoadingAModel(String option, String value, String message) {
        String v = value.replace("TMP", tmp.toString());
        List<String> args = new ArrayList<>(List.of("generate", "--prompt", "a red circle", "--out",
                tmp.resolve("o.png").toString(), "--steps", "2", "--cutouts", "2", "--size", "16x16", "--quiet"));
        int at = args.indexOf(option);
        if (at >= 0) {
            args.set(at + 1, v);
        } else {
            args.addAll(List.of(option, v));
        }
        CliRun r = run(unloadable, args.toArray(new String[0]));
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err()).contains(message);
        assertThat(r.err()).as("no model was read").doesNotContain("not a model file");
        assertThat(tmp.resolve("o.png")).doesNotExist();
    }

    @Test
    void withGoodValuesTheUnloadableModelIsWhatFails() {
        // the control for the test above: these models do fail once loading starts
        CliRun r = run(unloadable, "generate", "--prompt", "a red circle", "--out", tmp.resolve("c.png").toString(),
                "--steps", "1", "--cutouts", "2", "--size", "16x16", "--quiet");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("unloadable.ckpt: not a model file");
    }

    @Test
    void aSizeOfZeroSaysWhatASizeMustBe() {
        CliRun r = run(models, "generate", "--prompt", "a red circle", "--size", "0x0", "--out",
                tmp.resolve("z.png").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).isEqualTo("error: --size 0x0: width and height must be positive (pixels; rounded "
                + "down to multiples of the VQGAN's factor, e.g. 256x256)");
    }

    @Test
    void aSizeThatIsNotAMultipleOfTheFactorIsRoundedDownWithANote() {
        Path out = tmp.resolve("r.png");
        CliRun r = run(models, "generate", "--prompt", "a red circle", "--size", "18x13", "--steps", "1",
                "--cutouts", "2", "--quiet", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("note: --size 18x13 is rounded down to 16x12, a multiple of the VQGAN's 4-pixel "
                + "cells").contains("wrote " + out + " (16x12, step 1)");
    }

    @Test
    void aWordAfterAColonIsRefusedAsAWeightNamingIt() {
        CliRun r = run(models, "generate", "--prompt", "a red circle:abc", "--out", tmp.resolve("w.png").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).startsWith("error: --prompt: prompt \"a red circle:abc\": 'abc' is not a number, so it "
                + "cannot be a weight").contains("write it as \\:");
        CliRun escaped = run(models, "generate", "--prompt", "a red circle\\:abc", "--steps", "1", "--size",
                "16x16", "--cutouts", "2", "--quiet", "--out", tmp.resolve("w.png").toString());
        assertThat(escaped.code()).as(escaped.err()).isZero();
    }

    @Test
    void resumeGivenASessionFileSaysItIsOneAndHowToUseIt() throws Exception {
        Path session = tmp.resolve("mine.vqsession");
        SessionStore.save(session, new SessionData(null, List.of(), null, null, List.of(), "main", null, null,
                Map.of()));
        CliRun r = run(models, "generate", "--resume", session.toString(), "--out", tmp.resolve("s.png").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("is a studio session (.vqsession), not a saved run (.vqrun)")
                .contains("vqclip studio --open " + session).doesNotContain("run.json");
    }

    @Test
    void everyCommandsSummaryInTheHelpIsComplete() {
        CliRun r = CliRun.of("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("zero\n                 padding).");
        picocli.CommandLine root = new picocli.CommandLine(new Main.VqclipCommand());
        List<picocli.CommandLine> all = new ArrayList<>(root.getSubcommands().values());
        for (int i = 0; i < all.size(); i++) {
            all.addAll(all.get(i).getSubcommands().values());
        }
        for (picocli.CommandLine c : all) {
            String[] d = c.getCommandSpec().usageMessage().description();
            // the list of commands shows only the first line of a description
            assertThat(d).as(c.getCommandName()).isNotEmpty();
            assertThat(d[0].strip()).as(c.getCommandName() + ": \"" + d[0] + "\"").matches("(?s).*[.)]");
        }
    }

    @Test
    void withStandardErrorNotATerminalProgressIsPlainLines() {
        assumeFalse(NativeStderr.isTerminal(), "the test's standard error is a terminal");
        CliRun r = run(models, "generate", "--prompt", "a red circle", "--size", "16x16", "--steps", "3",
                "--cutouts", "2", "--out", tmp.resolve("p.png").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("\r");
        assertThat(r.err()).containsPattern("(?m)^generate: step 1/3 \\(33%\\), \\d+\\.\\d+ it/s, \\d+:\\d\\d left, "
                + "loss \\d+\\.\\d{4}$");
        assertThat(r.err()).containsPattern("(?m)^generate: step 3/3 \\(100%\\), \\d+\\.\\d+ it/s, took \\d+:\\d\\d, "
                + "loss \\d+\\.\\d{4}$");
    }

    @Test
    void inATerminalTheLiveLineIsWellFormed() {
        System.setProperty("vqclip.progress", "live");
        CliRun r;
        try {
            r = run(models, "generate", "--prompt", "a red circle", "--size", "16x16", "--steps", "3",
                    "--cutouts", "2", "--out", tmp.resolve("t.png").toString());
        } finally {
            System.clearProperty("vqclip.progress");
        }
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("\rgenerate: step 1/3 \\(33%\\), \\d+\\.\\d+ it/s, \\d+:\\d\\d left, "
                + "loss \\d+\\.\\d{4} *\rgenerate: step 2/3");
        assertThat(r.err()).containsPattern("\rgenerate: step 3/3 \\(100%\\), \\d+\\.\\d+ it/s, took \\d+:\\d\\d, "
                + "loss \\d+\\.\\d{4} *\nwrote ");
    }
}
