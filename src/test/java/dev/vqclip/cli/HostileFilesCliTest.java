package dev.vqclip.cli;

import dev.vqclip.testing.CraftedFiles;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Issue 21 from the command line: the crafted graph does not hang the commands that read it; nonsense runs are refused. */
class HostileFilesCliTest {
    @TempDir
    Path tmp;

    private static CliRun timed(String what, Supplier<CliRun> run) {
        long t0 = System.nanoTime();
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(2), run::get, what + " took 2 s or more");
        System.out.printf("%s: exit %d in %d ms%n", what, r.code(), (System.nanoTime() - t0) / 1_000_000);
        return r;
    }

    @Test
    void weightsListAndEmbedFinishAtOnceOnTheDepth40SharedGraph() throws Exception {
        Path deep = CraftedFiles.sharedModuleGraph(tmp.resolve("deep.pt"), 40);
        Path png = tmp.resolve("in.png");
        dev.vqclip.engine.image.Png.write(png, CraftedFiles.smallFrame(5), java.util.Map.of());
        // class loading, picocli and the engine's one-time start are not what is measured: warm them on a real file
        assertThat(CliRun.of("weights", "-l", Reference.file("clip_tiny_jit.pt").toString()).code()).isZero();
        ai.djl.engine.Engine.getEngine("PyTorch");
        CliRun r = timed("weights -l deep.pt", () -> CliRun.of("weights", "-l", deep.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("TORCHSCRIPT").contains("a.".repeat(40) + "weight");

        r = timed("embed --clip deep.pt", () -> CliRun.of("embed", "--clip", deep.toString(), "--image",
                png.toString(), "--out", tmp.resolve("e.npy").toString(), "--device", "cpu"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(deep + ": not an OpenAI CLIP ViT model");
        assertThat(tmp.resolve("e.npy")).doesNotExist();
    }

    @Test
    void resumingANanRunOrAnImpossibleSettingIsRefusedNamingTheFieldAndWritesNothing() throws Exception {
        Path r = Reference.dir();
        String[] models = {"--vqgan", r.resolve("vqgan_tiny.ckpt").toString(), "--config",
            r.resolve("vqgan_tiny.yaml").toString(), "--clip", r.resolve("clip_tiny_jit.pt").toString(), "--vocab",
            r.resolve("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--device", "cpu", "--quiet"};
        Path nan = CraftedFiles.nanRun(tmp.resolve("nan.vqrun"));
        Path out = tmp.resolve("o.png");
        CliRun run = CliRun.of(concat(new String[] {"generate", "--resume", nan.toString(), "--steps", "12", "--out",
            out.toString()}, models));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains(nan.toString()).contains("z.npy holds 256 of 256 values that are not finite");
        assertThat(out).doesNotExist();

        Path beta = CraftedFiles.runWithSetting(tmp.resolve("beta.vqrun"), "beta1", 2147483648L);
        run = CliRun.of(concat(new String[] {"generate", "--resume", beta.toString(), "--steps", "12", "--out",
            out.toString()}, models));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains(beta.toString()).contains("beta1 must be in [0, 1), got 2.147483648E9");
        assertThat(out).doesNotExist();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
