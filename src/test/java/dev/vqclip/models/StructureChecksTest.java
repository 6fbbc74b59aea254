package dev.vqclip.models;

import dev.vqclip.testing.Reference;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StructureChecksTest {
    @TempDir
    Path tmp;

    private static Map<ModelFile, Path> files(Object... roleNamePath) {
        Map<ModelFile, Path> m = new LinkedHashMap<>();
        for (int i = 0; i < roleNamePath.length; i += 3) {
            m.put(new ModelFile((String) roleNamePath[i + 1], (FileRole) roleNamePath[i], null, null, null, List.of(),
                    null), (Path) roleNamePath[i + 2]);
        }
        return m;
    }

    private static ModelEntry vq(Map<ModelFile, Path> f) {
        return new ModelEntry("t", ModelKind.VQGAN, List.of(), "", List.of(), List.copyOf(f.keySet()));
    }

    /** {@code checks} accepts the files ({@code role, name, path} triples) as one model. */
    private static void passes(StructureCheck checks, Object... roleNamePath) {
        Map<ModelFile, Path> f = files(roleNamePath);
        assertThatCode(() -> checks.check(vq(f), f)).doesNotThrowAnyException();
    }

    /** @return an assertion on what {@code checks} throws for the files ({@code role, name, path} triples) */
    private static AbstractThrowableAssert<?, ? extends Throwable> refused(StructureCheck checks,
                                                                          Object... roleNamePath) {
        Map<ModelFile, Path> f = files(roleNamePath);
        return assertThatThrownBy(() -> checks.check(vq(f), f));
    }

    /** The reference taming checkpoint and its yaml. */
    private static Object[] tamingPair() {
        Path ref = Reference.dir();
        return new Object[] {FileRole.CKPT, "a.ckpt", ref.resolve("vqgan_tiny.ckpt"),
            FileRole.CONFIG, "a.yaml", ref.resolve("vqgan_tiny.yaml")};
    }

    @Test
    void referenceTamingFilesPass() {
        Path ref = Reference.dir();
        passes(StructureChecks.basic(), tamingPair());
        passes(StructureChecks.basic(), FileRole.CKPT, "b.ckpt", ref.resolve("vqgan_tiny_legacy.ckpt"));
        passes(StructureChecks.basic(), FileRole.WEIGHTS, "c.pt", ref.resolve("clip_tiny_jit.pt"),
                FileRole.VOCAB, "v.txt.gz", ref.resolve("clip/bpe_simple_vocab_16e6.txt.gz"));
    }

    @Test
    void referenceCheckpointParsesAndFitsItsYaml() {
        passes(StructureChecks.standard(), tamingPair());
        passes(StructureChecks.standard(), FileRole.WEIGHTS, "c.pt", Reference.dir().resolve("clip_tiny_jit.pt"));
    }

    @Test
    void checkpointThatDoesNotFitItsYamlIsRefusedNamingTheTensor() throws IOException {
        Path ref = Reference.dir();
        Path yaml = Files.writeString(tmp.resolve("wrong.yaml"), Files.readString(ref.resolve("vqgan_tiny.yaml"))
                .replace("n_embed: 32", "n_embed: 1024"));
        refused(StructureChecks.standard(), FileRole.CKPT, "a.ckpt", ref.resolve("vqgan_tiny.ckpt"),
                FileRole.CONFIG, "wrong.yaml", yaml)
                .hasMessageContaining("does not fit its yaml")
                .hasMessageContaining("quantize.embedding.weight")
                .hasMessageContaining("[32, 8]").hasMessageContaining("[1024, 8]");
    }

    @Test
    void wrongKindOfWeightsOrGarbageIsRefused() throws IOException {
        Path ref = Reference.dir();
        refused(StructureChecks.standard(), FileRole.WEIGHTS, "c.pt", ref.resolve("vqgan_tiny.ckpt"))
                .hasMessageContaining("not an OpenAI CLIP model");
        byte[] zipHead = Files.readAllBytes(ref.resolve("vqgan_tiny.ckpt"));
        Path cut = Files.write(tmp.resolve("cut.ckpt"), java.util.Arrays.copyOf(zipHead, zipHead.length / 2));
        refused(StructureChecks.standard(), FileRole.CKPT, "cut.ckpt", cut)
                .isInstanceOf(ModelException.class).hasMessageContaining("cut.ckpt");
    }

    @Test
    void htmlSavedAsCheckpointIsNamedAsAWebPage() throws IOException {
        Path p = Files.writeString(tmp.resolve("x.ckpt"), "<!DOCTYPE html><html>login</html>");
        refused(StructureChecks.basic(), FileRole.CKPT, "x.ckpt", p)
                .hasMessageContaining("x.ckpt").hasMessageContaining("web page");
    }

    @Test
    void yamlThatIsNotATamingConfigIsRefused() throws IOException {
        Path p = Files.writeString(tmp.resolve("c.yaml"), "model:\n  params:\n    embed_dim: 256\n");
        refused(StructureChecks.basic(), FileRole.CONFIG, "c.yaml", p)
                .hasMessageContaining("c.yaml").hasMessageContaining("n_embed");
        Path bad = Files.writeString(tmp.resolve("d.yaml"), "model: [unclosed\n");
        refused(StructureChecks.basic(), FileRole.CONFIG, "d.yaml", bad).hasMessageContaining("not a valid yaml");
        Path evil = Files.writeString(tmp.resolve("e.yaml"), "!!javax.script.ScriptEngineManager [x]\n");
        refused(StructureChecks.basic(), FileRole.CONFIG, "e.yaml", evil).isInstanceOf(ModelException.class);
    }

    @Test
    void vocabularyMustHoldClipsMerges() throws IOException {
        Path p = tmp.resolve("short.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("#version: 0.2\ni n\nt h\n".getBytes(StandardCharsets.UTF_8));
        }
        refused(StructureChecks.basic(), FileRole.VOCAB, "short.txt.gz", p).hasMessageContaining("2 merges");
        Path notGz = Files.writeString(tmp.resolve("plain.txt.gz"), "hello");
        refused(StructureChecks.basic(), FileRole.VOCAB, "plain.txt.gz", notGz).hasMessageContaining("gzip");
    }

    @Test
    void htmlSniffingIgnoresLeadingWhitespaceAndCase() {
        byte[] a = "\n  <!doctype HTML>".getBytes(StandardCharsets.UTF_8);
        byte[] b = "<HTML lang=en>".getBytes(StandardCharsets.UTF_8);
        byte[] c = "PK\u0003\u0004zip".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Downloader.looksLikeHtml(a, a.length)).isTrue();
        assertThat(Downloader.looksLikeHtml(b, b.length)).isTrue();
        assertThat(Downloader.looksLikeHtml(c, c.length)).isFalse();
    }
}
