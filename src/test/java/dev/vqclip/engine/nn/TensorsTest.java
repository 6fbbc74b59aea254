package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.testing.FreedMemory;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
            FreedMemory freed = new FreedMemory();
            freed.collectAndOverwrite();
            assertThat(same.sum().getFloat()).isEqualTo(150_000f);
            assertThat(wider.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(wider.sum().getDouble()).isEqualTo(150_000d);
            freed.release();
        }
    }

    @Test
    void scalarHelpersDifferentiateExactlyAfterACollection() {
        FreedMemory freed = new FreedMemory();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Tensors.fromHost(m, new float[] {1f, 2f, 4f}, new Shape(3));
            x.setRequiresGradient(true);
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                // d/dx of max(x, 1.5)·3 / 2 + min(x, 3)^2
                NDArray a = Tensors.div(Tensors.mul(Tensors.maximum(x, 1.5), 3), 2);
                NDArray b = Tensors.pow(Tensors.minimum(x, 3), 2);
                NDArray y = a.add(b).sum();
                freed.collectAndOverwrite();
                gc.backward(y);
            }
            assertThat(x.getGradient().toFloatArray()).containsExactly(0f + 2f, 1.5f + 4f, 1.5f);
        } finally {
            freed.release();
        }
    }

    @Test
    void scalarTakesTheTypeOfItsArray() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray longs = Tensors.fromHost(m, new long[] {3, 5}, new Shape(2));
            assertThat(Tensors.mul(longs, 4).getDataType()).isEqualTo(DataType.INT64);
            assertThat(Tensors.mul(longs, 4).toLongArray()).containsExactly(12L, 20L);
            NDArray doubles = Tensors.fromHost(m, new double[] {1}, new Shape(1));
            assertThat(Tensors.mul(doubles, 0.1).getDouble(0)).isEqualTo(0.1);
            assertThatThrownBy(() -> Tensors.mul(longs, 0.5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0.5");
        }
    }

    @Test
    void constantsAreMadeOncePerDeviceTypeAndValueAndSurviveTheirUsersManager() {
        ai.djl.Device cpu = ai.djl.Device.cpu();
        NDArray two = Tensors.constant(cpu, DataType.FLOAT32, 2);
        assertThat(Tensors.constant(cpu, DataType.FLOAT32, 2)).isSameAs(two);
        assertThat(Tensors.constant(cpu, DataType.FLOAT64, 2)).isNotSameAs(two);
        assertThat(Tensors.constant(cpu, DataType.FLOAT32, -0.0)).isNotSameAs(Tensors.constant(cpu, DataType.FLOAT32, 0));
        assertThat(two.getShape()).isEqualTo(new Shape());
        try (NDManager m = NDManager.newBaseManager(cpu)) {
            NDArray x = m.create(new float[] {1, 2, 3});
            long before = Tensors.scalarsMade();
            for (int i = 0; i < 100; i++) {
                Tensors.add(Tensors.mul(x, 2), 1).close();
            }
            assertThat(Tensors.scalarsMade() - before).as("at most the constant 1 was new").isLessThanOrEqualTo(1);
            assertThat(Tensors.gte(Tensors.sub(Tensors.mul(x, 2), 1), 3).toBooleanArray())
                    .containsExactly(false, true, true);
        }
        // the users' manager is closed; the constant lives on
        assertThat(two.getFloat()).isEqualTo(2f);
    }
}
