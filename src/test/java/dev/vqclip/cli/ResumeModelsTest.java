package dev.vqclip.cli;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.models.Hashing;
import dev.vqclip.models.ModelCache;
import dev.vqclip.session.RunFile;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code generate --resume r.vqrun} without model options uses the model files the run was made with, found by
 * SHA-256 (where the run found them, the installed models, the bundled demo models), and where one is gone it names
 * each file it needs instead of loading other models. Runs on the tiny reference models (an 8-channel VQGAN: with the
 * demo models, which have 16, the old resume stopped with "made with another model").
 */
class ResumeModelsTest {
    @TempDir
    Path tmp;
    Path models;
    List<String> options;

    @BeforeEach
    void setUp() throws IOException {
        System.setProperty(ModelCache.CACHE_PROPERTY, tmp.resolve("empty-cache").toString());
        models = Files.createDirectories(tmp.resolve("models"));
        Path r = Reference.dir();
        Path vq = Files.copy(r.resolve("vqgan_tiny.ckpt"), models.resolve("vq.ckpt"));
        Path cfg = Files.copy(r.resolve("vqgan_tiny.yaml"), models.resolve("vq.yaml"));
        Path clip = Files.copy(r.resolve("clip_tiny_jit.pt"), models.resolve("clip.pt"));
        Path vocab = Files.copy(r.resolve("clip/bpe_simple_vocab_16e6.txt.gz"), models.resolve("bpe.txt.gz"));
        options = List.of("--vqgan", vq.toString(), "--config", cfg.toString(), "--clip", clip.toString(), "--vocab",
                vocab.toString());
    }

    @AfterEach
    void tearDown() {
        System.clearProperty(ModelCache.CACHE_PROPERTY);
    }

    private static final List<String> COMMON = List.of("--prompt", "a red apple", "--size", "48x32", "--seed", "7",
            "--cutouts", "2", "--quiet", "--device", "cpu");

    private CliRun generate(List<String> modelOptions, String... more) {
        List<String> a = new ArrayList<>(List.of("generate"));
        a.addAll(Arrays.asList(more));
        a.addAll(modelOptions);
        return CliRun.of(a);
    }

    @Test
    void aRunMadeWithModelFilesResumesWithThemAndNamesThemWhenTheyAreGone() throws Exception {
        Path run = tmp.resolve("r.vqrun");
        List<String> common = new ArrayList<>(COMMON);
        CliRun made = generate(options, concat(common, "--steps", "2", "--save-run", run.toString()));
        assertThat(made.code()).as(made.err()).isZero();
        List<RunFile.ModelRecord> recorded = RunFile.read(run).modelFiles();
        assertThat(recorded).extracting(RunFile.ModelRecord::role)
                .containsExactly("vqgan", "vqgan-config", "clip", "clip-vocab");
        assertThat(recorded.get(0).path()).isEqualTo(models.resolve("vq.ckpt").toAbsolutePath().toString());
        assertThat(recorded.get(0).sha256()).isEqualTo(Hashing.sha256(models.resolve("vq.ckpt")));

        // no model options: the files are found where the run found them, and the result is the uninterrupted run's
        Path resumed = tmp.resolve("resumed.png");
        CliRun r = generate(List.of(), "--resume", run.toString(), "--steps", "4", "--out", resumed.toString(),
                "--quiet", "--device", "cpu");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("with the model files it was made with")
                .contains(models.resolve("vq.ckpt").toAbsolutePath().toString())
                .doesNotContain("DEMO");
        Path straight = tmp.resolve("straight.png");
        CliRun s = generate(options, concat(common, "--steps", "4", "--out", straight.toString()));
        assertThat(s.code()).as(s.err()).isZero();
        Frame a = Images.read(resumed);
        assertThat(a.argb()).isEqualTo(Images.read(straight).argb());

        // moved away: nothing is loaded in their place, and the error names each file, its checksum and the options
        Path elsewhere = tmp.resolve("elsewhere");
        Files.move(models, elsewhere);
        Path out = tmp.resolve("never.png");
        CliRun gone = generate(List.of(), "--resume", run.toString(), "--steps", "4", "--out", out.toString(),
                "--quiet", "--device", "cpu");
        assertThat(gone.code()).isEqualTo(1);
        for (RunFile.ModelRecord m : recorded) {
            assertThat(gone.err()).contains(m.path()).contains(m.sha256());
        }
        assertThat(gone.err()).contains("no longer there").contains("r.vqrun")
                .contains("--vqgan FILE --config FILE --clip FILE --vocab FILE")
                .doesNotContain("latent channels");
        assertThat(out).doesNotExist();

        // back in place but one of them edited: that one is named, as changed
        Files.move(elsewhere, models);
        Files.writeString(models.resolve("vq.yaml"), "\n# edited\n", StandardOpenOption.APPEND);
        CliRun changed = generate(List.of(), "--resume", run.toString(), "--steps", "4", "--out", out.toString(),
                "--quiet", "--device", "cpu");
        assertThat(changed.code()).isEqualTo(1);
        assertThat(changed.err()).contains(recorded.get(1).path()).contains("changed since")
                .doesNotContain(recorded.get(0).path() + " (");

        // and naming files still works as before
        Files.copy(Reference.file("vqgan_tiny.yaml"), models.resolve("vq.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun named = generate(options, "--resume", run.toString(), "--steps", "3", "--out", out.toString(),
                "--quiet", "--device", "cpu");
        assertThat(named.code()).as(named.err()).isZero();
    }

    @Test
    void aRunMadeWithCopiesOfTheDemoModelsFindsTheBundledOnesOnceTheCopiesAreGone() throws Exception {
        Path demo = Path.of("assets", "models", "demo").toAbsolutePath();
        Path copies = Files.createDirectories(tmp.resolve("demo-copies"));
        for (String f : new String[] {"vqgan.safetensors", "vqgan.yaml", "clip.safetensors", "bpe.txt.gz"}) {
            Files.copy(demo.resolve(f), copies.resolve("my-" + f));
        }
        Path run = tmp.resolve("d.vqrun");
        CliRun made = generate(List.of("--vqgan", copies.resolve("my-vqgan.safetensors").toString(), "--config",
                        copies.resolve("my-vqgan.yaml").toString(), "--clip",
                        copies.resolve("my-clip.safetensors").toString(), "--vocab",
                        copies.resolve("my-bpe.txt.gz").toString()),
                "--prompt", "a red circle", "--size", "32x32", "--cutouts", "2", "--quiet", "--device", "cpu",
                "--steps", "1", "--save-run", run.toString());
        assertThat(made.code()).as(made.err()).isZero();
        try (var files = Files.list(copies)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        CliRun r = generate(List.of(), "--resume", run.toString(), "--steps", "2", "--save-run", run.toString(),
                "--quiet", "--device", "cpu");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("(bundled demo model)").contains(demo.resolve("vqgan.safetensors").toString());
        // the run saved again records where the files are now
        assertThat(RunFile.read(run).modelFiles().get(0).path())
                .isEqualTo(demo.resolve("vqgan.safetensors").toString());
    }

    private static String[] concat(List<String> first, String... more) {
        List<String> a = new ArrayList<>(first);
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }
}
