package dev.vqclip.session;

import dev.vqclip.engine.run.RunSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A run records where each model file was, its SHA-256 and size; older runs without the records still load. */
class RunFileModelRecordsTest {
    @TempDir
    Path tmp;

    private static final String SHA = "ab".repeat(32);

    @Test
    void recordsRoundTripAndOlderRunsHaveNone() throws IOException {
        RunSnapshot s = RunFileTest.snapshot(false, false);
        List<RunFile.ModelRecord> files = List.of(new RunFile.ModelRecord("vqgan", "/models/vq.ckpt", SHA, 123),
                new RunFile.ModelRecord("clip-vocab", "/models/bpe.txt.gz", "cd".repeat(32), 7));
        Path f = tmp.resolve("r.vqrun");
        RunFile.write(f, s, Map.of("vq.ckpt", SHA), files);
        RunFile.Loaded l = RunFile.read(f);
        assertThat(l.modelFiles()).isEqualTo(files);
        assertThat(l.models()).containsEntry("vq.ckpt", SHA);

        Path old = tmp.resolve("old.vqrun");
        RunFile.write(old, s, Map.of("vq.ckpt", SHA));
        assertThat(RunFile.read(old).modelFiles()).isEmpty();
    }

    @Test
    void aDamagedRecordIsRefusedNamingIt() throws IOException {
        Path f = tmp.resolve("r.vqrun");
        RunFile.write(f, RunFileTest.snapshot(false, false), Map.of(),
                List.of(new RunFile.ModelRecord("vqgan", "/m/vq.ckpt", SHA, 5)));
        Path bad = tmp.resolve("bad.vqrun");
        try (ZipFile in = new ZipFile(f.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bad))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("run.json")) {
                    data = new String(data, StandardCharsets.UTF_8).replace(SHA, "not a checksum")
                            .getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(data);
            }
        }
        assertThatThrownBy(() -> RunFile.read(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("bad.vqrun").hasMessageContaining("modelFiles").hasMessageContaining("record 0");
    }
}
