package dev.vqclip.engine.weights;

import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyTest {
    @Test
    void readsReferenceFloatAndIntArrays(@TempDir Path tmp) {
        RawTensor z = Reference.npy("vqgan/z_in.npy");
        assertThat(z.shape()).containsExactly(1, 8, 8, 8);
        assertThat(z.dtype()).isEqualTo(DType.FLOAT32);
        RawTensor idx = Reference.npy("vqgan/z_in_indices.npy");
        assertThat(idx.dtype()).isEqualTo(DType.INT64);
        assertThat(java.util.Arrays.stream(idx.toLongArray()).allMatch(v -> v >= 0 && v < 32)).isTrue();
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path tmp) throws Exception {
        float[] v = {1f, -2.5f, 3e-7f, Float.MAX_VALUE, 0f, 6f};
        Path f = tmp.resolve("a.npy");
        Npy.writeFloats(f, v, 2, 3);
        RawTensor t = Npy.read(f);
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.toFloatArray()).containsExactly(v);
        assertThat((Files.size(f) - 24) % 64).as("header is padded to 64 bytes").isZero();
    }

    @Test
    void truncatedFileIsRefusedWithItsName(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("cut.npy");
        Npy.writeFloats(f, new float[100], 100);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(WeightsException.class)
                .hasMessageContaining("cut.npy").hasMessageContaining("truncated");
    }
}
