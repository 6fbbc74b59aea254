package dev.vqclip.cli;

import dev.vqclip.engine.weights.DType;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightFiles;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WeightsCommandTest {
    private static String run(int expectedExit, String... args) {
        CliRun r = CliRun.interleaved(args);
        assertThat(r.code()).as("exit code").isEqualTo(expectedExit);
        return r.out();
    }

    @Test
    void summarisesTorchScriptArchiveAndConvertsItToSafetensors(@TempDir Path tmp) {
        Path out = tmp.resolve("clip.safetensors");
        String text = run(0, "weights", Reference.file("clip_tiny_jit.pt").toString(), "--list",
                "--to-safetensors", out.toString());
        assertThat(text).contains("TORCHSCRIPT").contains("tensors: 65")
                .containsPattern("FLOAT16\\s+35 tensors")
                .contains("visual.transformer.resblocks.0.attn.in_proj_weight");
        StateDict sd = WeightFiles.load(out);
        assertThat(sd.size()).isEqualTo(65);
        assertThat(sd.get("text_projection").dtype()).isEqualTo(DType.FLOAT16);
    }

    @Test
    void showsLightningMetadata() {
        String text = run(0, "weights", Reference.file("vqgan_tiny_legacy.ckpt").toString());
        assertThat(text).contains("TORCH_LEGACY").contains("epoch: 4").contains("global_step: 12345")
                .contains("lightning: 1.0.8").contains("tensors: 196");
    }

    @Test
    void foreignFileFailsWithItsName(@TempDir Path tmp) throws Exception {
        Path page = tmp.resolve("model.ckpt");
        Files.writeString(page, "<html><body>404</body></html>");
        String text = run(1, "weights", page.toString());
        assertThat(text).contains("error: " + page).contains("not a model file");
    }
}
