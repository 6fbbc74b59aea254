package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class TensorsTest {
    @Test
    void copyOwnsItsMemoryAfterTheSourceIsClosedAndCollected() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = new float[100_000];
            Arrays.fill(v, 1.5f);
            NDArray same;
            NDArray wider;
            try (NDArray a = m.create(v)) {
                same = Tensors.copy(a, DataType.FLOAT32);
                wider = Tensors.copy(a, DataType.FLOAT64);
            }
            for (int i = 0; i < 5; i++) {
                byte[][] junk = new byte[2000][];
                for (int j = 0; j < junk.length; j++) {
                    junk[j] = new byte[10_000];
                }
                System.gc();
                java.nio.ByteBuffer.allocateDirect(400_000).asFloatBuffer().put(new float[100_000]);
            }
            assertThat(same.sum().getFloat()).isEqualTo(150_000f);
            assertThat(wider.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(wider.sum().getDouble()).isEqualTo(150_000d);
        }
    }
}
