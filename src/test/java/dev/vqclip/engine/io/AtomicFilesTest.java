package dev.vqclip.engine.io;

import dev.vqclip.engine.run.Frame;
import dev.vqclip.engine.run.PngFiles;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Saved files get the permissions an ordinary write gives, and a failed write leaves the old file alone. */
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
        PngFiles.write(png, new Frame(2, 2, new int[] {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff}),
                Map.of("prompt", "a red circle"));
        Path st = dir.resolve("w.safetensors");
        Safetensors.write(st, Map.of("w", RawTensor.ofFloats(new float[] {1, 2, 3}, 3)), Map.of());
        Set<PosixFilePermission> expected = ordinary();
        assertThat(permissions(png)).isEqualTo(expected);
        assertThat(permissions(st)).isEqualTo(expected);
        assertThat(PngFiles.readText(png)).containsEntry("prompt", "a red circle");
        assertThat(Safetensors.read(st).names()).containsExactly("w");
    }
}
