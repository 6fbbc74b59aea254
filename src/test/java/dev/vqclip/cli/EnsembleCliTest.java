package dev.vqclip.cli;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --also-clip}: an ensemble from the command line, its weights, and its refusals. */
class EnsembleCliTest {
    private static CliRun generate(Path out, String... more) {
        return generate(out, 3, more);
    }

    private static CliRun generate(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("--prompt", "a red apple", "--size", "48x32", "--seed", "7",
                "--cutouts", "2", "--steps", String.valueOf(steps)));
        a.addAll(List.of(more));
        return withModels(out, a);
    }

    /** {@code generate} on the tiny reference models, writing {@code out} */
    private static CliRun withModels(Path out, List<String> args) {
        Path r = Reference.dir();
        List<String> a = new ArrayList<>(List.of("generate", "--quiet", "--out", out.toString(),
                "--vqgan", r.resolve("vqgan_tiny.ckpt").toString(), "--config", r.resolve("vqgan_tiny.yaml").toString(),
                "--clip", r.resolve("clip_tiny_jit.pt").toString(),
                "--vocab", r.resolve("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--device", "cpu"));
        a.addAll(args);
        return CliRun.of(a);
    }

    @Test
    void aSecondClipChangesTheImageAndAZeroWeightChangesNothing(@TempDir Path tmp) throws Exception {
        Path alone = tmp.resolve("alone.png");
        Path zero = tmp.resolve("zero.png");
        Path both = tmp.resolve("both.png");
        String second = Reference.file("clip_tiny_state_dict.pt").toString();
        CliRun a = generate(alone);
        assertThat(a.code()).as(a.err()).isZero();
        CliRun z = generate(zero, "--also-clip", second + ":0");
        assertThat(z.code()).as(z.err()).isZero();
        // the tiny CLIP's state dict is the same model: at weight 1 the loss doubles; give the first a negative
        // weight so the ensemble pulls the other way
        CliRun b = generate(both, "--clip-weight", "1", "--also-clip", second + ":-2");
        assertThat(b.code()).as(b.err()).isZero();
        Frame fa = Images.read(alone);
        assertThat(Images.read(zero).argb()).isEqualTo(fa.argb());
        assertThat(Images.read(both).argb()).isNotEqualTo(fa.argb());
    }

    @Test
    void aSavedEnsembleRunResumesOnlyWithItsEnsembleAndThenExactly(@TempDir Path tmp) throws Exception {
        String second = Reference.file("clip_tiny_state_dict.pt").toString();
        Path run = tmp.resolve("e.vqrun");
        CliRun saved = generate(tmp.resolve("three.png"), "--save-run", run.toString(), "--clip-weight", "1",
                "--also-clip", second + ":-2");
        assertThat(saved.code()).as(saved.err()).isZero();
        // without the ensemble the run would go on otherwise: refused, naming the options that resume it exactly
        Path plain = tmp.resolve("plain.png");
        CliRun without = withModels(plain, List.of("--resume", run.toString(), "--steps", "6"));
        assertThat(without.code()).isNotZero();
        assertThat(without.err()).contains("was guided by a CLIP ensemble")
                .contains("--clip-weight 1.0 --also-clip " + Path.of(second).toAbsolutePath().normalize() + ":-2.0");
        assertThat(Files.exists(plain)).isFalse();
        CliRun otherWeight = withModels(plain, List.of("--resume", run.toString(), "--steps", "6", "--also-clip",
                second + ":-1"));
        assertThat(otherWeight.code()).isNotZero();
        // with it, the resumed run equals the run that never stopped
        Path resumed = tmp.resolve("resumed.png");
        Path straight = tmp.resolve("straight.png");
        CliRun r = withModels(resumed, List.of("--resume", run.toString(), "--steps", "6", "--also-clip",
                second + ":-2.0"));
        assertThat(r.code()).as(r.err()).isZero();
        CliRun s = generate(straight, 6, "--also-clip", second + ":-2");
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(Images.read(resumed).argb()).isEqualTo(Images.read(straight).argb());
    }

    @Test
    void theDemoClipOfAnotherSizeAndVocabularyJoinsWithItsOwn(@TempDir Path tmp) {
        Path out = tmp.resolve("demo.png");
        CliRun r = generate(out, "--also-clip", "demo:0.5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.exists(out)).isTrue();
    }

    @Test
    void badEnsembleValuesAreRefusedNamingTheOption(@TempDir Path tmp) {
        CliRun inf = generate(tmp.resolve("a.png"), "--also-clip", "demo:Infinity");
        assertThat(inf.code()).isNotZero();
        assertThat(inf.err()).contains("--also-clip demo:Infinity").contains("finite");
        CliRun missing = generate(tmp.resolve("b.png"), "--also-clip", tmp.resolve("nope.pt") + ":0.5");
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("nope.pt");
        assertThat(Files.exists(tmp.resolve("b.png"))).isFalse();
        CliRun weight = generate(tmp.resolve("c.png"), "--clip-weight", "NaN", "--also-clip", "demo");
        assertThat(weight.code()).isNotZero();
        assertThat(weight.err()).contains("--clip-weight");
    }

    @Test
    void specsSplitTheWeightOffOnlyWhenItIsANumber() {
        assertThat(ModelOptions.EnsembleSpec.parse("ViT-B/16:0.5")).isEqualTo(new ModelOptions.EnsembleSpec("ViT-B/16", 0.5));
        assertThat(ModelOptions.EnsembleSpec.parse("ViT-B/16")).isEqualTo(new ModelOptions.EnsembleSpec("ViT-B/16", 1.0));
        assertThat(ModelOptions.EnsembleSpec.parse("C:\\models\\b16.pt")).isEqualTo(
                new ModelOptions.EnsembleSpec("C:\\models\\b16.pt", 1.0));
        assertThat(ModelOptions.EnsembleSpec.parse("C:\\models\\b16.pt:-1")).isEqualTo(
                new ModelOptions.EnsembleSpec("C:\\models\\b16.pt", -1.0));
    }
}
