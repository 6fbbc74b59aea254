package dev.vqclip.engine.augment;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The cutout noise a GPU draws on the device (here run on the CPU device, the same code path): unit normal, a pure
 * function of the plan's seed, unaffected by other use of the engine's generator; and the host path the CPU uses
 * still gives exactly the numbers it always gave.
 */
class DeviceNoiseTest {
    private static final Shape SHAPE = new Shape(8, 3, 64, 64);

    @Test
    void deviceNoiseIsUnitNormalAndAPureFunctionOfTheSeed() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] a = CutoutAugmenter.unitNoise(m, SHAPE, DataType.FLOAT32, Device.cpu(), 1234, true).toFloatArray();
            // someone else moves the engine's generator in between: the next draw with the same seed is unchanged
            m.randomNormal(new Shape(1000)).close();
            float[] b = CutoutAugmenter.unitNoise(m, SHAPE, DataType.FLOAT32, Device.cpu(), 1234, true).toFloatArray();
            float[] c = CutoutAugmenter.unitNoise(m, SHAPE, DataType.FLOAT32, Device.cpu(), 1235, true).toFloatArray();
            assertThat(b).containsExactly(a);
            assertThat(c).isNotEqualTo(a);
            double mean = 0;
            double sq = 0;
            int within1 = 0;
            for (float v : a) {
                mean += v;
                sq += (double) v * v;
                if (Math.abs(v) < 1) {
                    within1++;
                }
            }
            int n = a.length;
            mean /= n;
            double sd = Math.sqrt(sq / n - mean * mean);
            // n = 98,304: the standard error of the mean is 0.0032, of the sd about 0.0023
            assertThat(mean).isCloseTo(0, within(0.02));
            assertThat(sd).isCloseTo(1, within(0.02));
            assertThat(within1 / (double) n).as("share within one sd").isCloseTo(0.6827, within(0.01));
            double corr = 0;
            for (int i = 1; i < n; i++) {
                corr += (double) a[i] * a[i - 1];
            }
            assertThat(corr / (n - 1)).as("neighbours uncorrelated").isCloseTo(0, within(0.02));
            NDArray d = CutoutAugmenter.unitNoise(m, SHAPE, DataType.FLOAT64, Device.cpu(), 1234, true);
            assertThat(d.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(d.getShape()).isEqualTo(SHAPE);
        }
    }

    @Test
    void hostNoiseIsStillTheSplittableRandomStreamOfTheSeed() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] host = CutoutAugmenter.unitNoise(m, SHAPE, DataType.FLOAT32, Device.cpu(), 99, false)
                    .toFloatArray();
            SplittableRandom rng = new SplittableRandom(99);
            for (int i = 0; i < host.length; i++) {
                assertThat(host[i]).isEqualTo((float) rng.nextGaussian());
            }
        }
    }

    @Test
    void aCpuImageGetsTheHostNoise() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray img = m.zeros(new Shape(1, 3, 8, 8));
            CutoutPlan.Cutout cut = new CutoutPlan.Cutout(8, 0, 0, false, 0, 0, 0, null, 0, 1, 1.0);
            float[] out = CutoutAugmenter.apply(img, new CutoutPlan(8, 8, 8, java.util.List.of(cut), 5))
                    .toFloatArray();
            float[] host = CutoutAugmenter.unitNoise(m, new Shape(1, 3, 8, 8), DataType.FLOAT32, Device.cpu(), 5,
                    false).toFloatArray();
            assertThat(out).containsExactly(host);
        }
    }
}
