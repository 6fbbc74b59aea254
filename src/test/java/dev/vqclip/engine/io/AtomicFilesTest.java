package dev.vqclip.engine.io;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.Safetensors;
import dev.vqclip.testing.ChildJvm;
import dev.vqclip.testing.HoldLockChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Saved files get the permissions an ordinary write gives, a failed write leaves the old file alone, and the
 * temporaries a killed writer left are removed by the next write to the same file, never those of a writer still at
 * work (in this process or another).
 */
class AtomicFilesTest {
    @TempDir
    Path dir;

    /** @return the permissions this process gives a file it creates (0666 less the umask) */
    private Set<PosixFilePermission> ordinary() throws IOException {
        Path probe = Files.createFile(dir.resolve("probe-" + System.nanoTime()));
        try {
            return permissions(probe);
        } finally {
            Files.delete(probe);
        }
    }

    private static Set<PosixFilePermission> permissions(Path p) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        assertThat(view).as("the tests run on a POSIX file system").isNotNull();
        return view.readAttributes().permissions();
    }

    @Test
    void aNewFileGetsTheModeAnyNewFileGets() throws IOException {
        Path f = dir.resolve("new.txt");
        AtomicFiles.write(f, out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(f)).isEqualTo("hello");
        assertThat(permissions(f)).isEqualTo(ordinary());
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        Path f = dir.resolve("kept.txt");
        Files.writeString(f, "old");
        Set<PosixFilePermission> chosen = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(f, chosen);
        AtomicFiles.write(f, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(f)).isEqualTo("new");
        assertThat(permissions(f)).isEqualTo(chosen);
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path f = dir.resolve("safe.txt");
        Files.writeString(f, "precious");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessageContaining("safe.txt").hasMessageContaining("disk full");
        assertThat(Files.readString(f)).isEqualTo("precious");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("safe.txt");
        }
    }

    @Test
    void aMissingFolderIsNamed() {
        Path f = dir.resolve("nowhere").resolve("x.txt");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> out.write(1))).isInstanceOf(IOException.class)
                .hasMessageContaining("nowhere").hasMessageContaining("does not exist");
    }

    @Test
    void imagesAndWeightsAreSavedWithTheOrdinaryMode() throws IOException {
        Path png = dir.resolve("out.png");
        Png.write(png, new Frame(2, 2, new int[] {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff}),
                Map.of("prompt", "a red circle"));
        Path st = dir.resolve("w.safetensors");
        Safetensors.write(st, Map.of("w", RawTensor.ofFloats(new float[] {1, 2, 3}, 3)), Map.of());
        Set<PosixFilePermission> expected = ordinary();
        assertThat(permissions(png)).isEqualTo(expected);
        assertThat(permissions(st)).isEqualTo(expected);
        assertThat(Png.readText(png)).containsEntry("prompt", "a red circle");
        assertThat(Safetensors.read(st).names()).containsExactly("w");
    }

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theNextWriteRemovesWhatAKilledWriterLeftForThatFileOnly() throws IOException {
        Path f = dir.resolve("o.png");
        Files.writeString(f, "old");
        Files.writeString(dir.resolve(".o.png-3k9z1q0b2c.tmp"), "half a png"); // a killed writer's, unlocked
        Files.writeString(dir.resolve(".o.png-x.tmp"), "another");
        Files.writeString(dir.resolve(".p.png-3k9z1q0b2c.tmp"), "another file's");
        Files.writeString(dir.resolve(".o.png-abc-def.tmp"), "the temporary of a file named o.png-abc");
        Files.writeString(dir.resolve(".o.png-ABC.tmp"), "not a name this class makes");
        Files.writeString(dir.resolve(".o.png-3k9z1q0b2c.tmp.keep"), "the user's");

        AtomicFiles.write(f, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));

        assertThat(Files.readString(f)).isEqualTo("new");
        assertThat(names()).containsExactly(".o.png-3k9z1q0b2c.tmp.keep", ".o.png-ABC.tmp", ".o.png-abc-def.tmp",
                ".p.png-3k9z1q0b2c.tmp", "o.png");
    }

    @Test
    void aTemporaryAnotherProcessIsWritingIsLeftAlone() throws Exception {
        Path f = dir.resolve("s.vqsession");
        Path busy = Files.writeString(dir.resolve(".s.vqsession-busy1.tmp"), "being written");
        Path dead = Files.writeString(dir.resolve(".s.vqsession-dead1.tmp"), "abandoned");
        try (ChildJvm holder = ChildJvm.start(HoldLockChild.class, List.of(), List.of(busy.toString()), dir)) {
            holder.await("locked", 60_000);
            AtomicFiles.write(f, out -> out.write(1));
            assertThat(busy).as("locked by a live writer").exists();
            assertThat(dead).as("no one holds it").doesNotExist();
            holder.kill();
        }
        AtomicFiles.write(f, out -> out.write(2));
        assertThat(busy).as("its writer died").doesNotExist();
        assertThat(names()).containsExactly("s.vqsession");
    }

    @Test
    void stagedFilesChangeNothingUntilCommittedAndLeaveNothingWhenDropped() throws IOException {
        Path f = dir.resolve("w.ckpt");
        Files.writeString(f, "installed");
        try (AtomicFiles.Staged s = AtomicFiles.stage(f, out -> out.write("replacement".getBytes(
                StandardCharsets.UTF_8)))) {
            assertThat(Files.readString(s.temporary())).isEqualTo("replacement");
            assertThat(Files.readString(f)).isEqualTo("installed");
            // a write to the same file meanwhile (this process) must not take the staged temporary for a stale one
            AtomicFiles.write(f, out -> out.write("other".getBytes(StandardCharsets.UTF_8)));
            assertThat(s.temporary()).exists();
        }
        assertThat(Files.readString(f)).isEqualTo("other");
        assertThat(names()).containsExactly("w.ckpt");

        try (AtomicFiles.Staged s = AtomicFiles.stage(f, out -> out.write("new".getBytes(StandardCharsets.UTF_8)))) {
            s.commit();
        }
        assertThat(Files.readString(f)).isEqualTo("new");
        assertThat(names()).containsExactly("w.ckpt");
    }

    @Test
    void threadsWritingOneFileAtOnceNeverSeeAHalfFileOrLoseATemporary() throws Exception {
        Path f = dir.resolve("shared.bin");
        int threads = 4;
        int writes = 40;
        byte[][] contents = new byte[threads][];
        for (int t = 0; t < threads; t++) {
            contents[t] = new byte[50_000 + t * 1000];
            java.util.Arrays.fill(contents[t], (byte) t);
        }
        AtomicFiles.write(f, out -> out.write(contents[0]));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads + 1);
        try {
            List<java.util.concurrent.Future<?>> jobs = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < writes; i++) {
                        AtomicFiles.write(f, out -> out.write(contents[id]));
                    }
                    return null;
                }));
            }
            java.util.concurrent.Future<Integer> reader = pool.submit(() -> {
                int reads = 0;
                while (jobs.stream().anyMatch(j -> !j.isDone())) {
                    byte[] got = Files.readAllBytes(f);
                    int id = got[0];
                    assertThat(got).as("a whole file of one writer").isEqualTo(contents[id]);
                    reads++;
                }
                return reads;
            });
            for (java.util.concurrent.Future<?> j : jobs) {
                j.get(); // a writer whose temporary another thread removed would throw here
            }
            assertThat(reader.get()).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(names()).containsExactly("shared.bin");
    }
}
