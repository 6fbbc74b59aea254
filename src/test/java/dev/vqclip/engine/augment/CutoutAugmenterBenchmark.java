package dev.vqclip.engine.augment;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timings of the hot path (32 cutouts of 224 px), printed, never asserted. Tagged slow, so the normal build skips it;
 * run with {@code mvn -o test -Dtest=CutoutAugmenterBenchmark -Dsurefire.excludedGroups=none}. With
 * {@code -DargLine="-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1"} PyTorch computes on the calling thread,
 * so the printed cpu time is the whole cost, unaffected by other processes on a busy machine.
 */
@Tag("slow")
class CutoutAugmenterBenchmark {
    private static final int WARMUP = 3;
    private static final int RUNS = 10;

    @Test
    void timesThirtyTwoCutoutsOf224() {
        for (int side : new int[] {256, 512}) {
            for (Augmentations aug : new Augmentations[] {Augmentations.none(), Augmentations.defaults()}) {
                String what = side + "×" + side + (aug.flip() ? " defaults" : " no augs ");
                double[] fwd = time(side, aug, false);
                double[] both = time(side, aug, true);
                System.out.printf("bench %s: forward %.1f ms (cpu %.1f), forward+backward %.1f ms (cpu %.1f);"
                        + " medians of %d, wall and this thread's cpu time%n", what, fwd[0], fwd[1], both[0], both[1],
                        RUNS);
            }
        }
    }

    private static double[] time(int side, Augmentations aug, boolean backward) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        CutoutAugmenter cutter = new CutoutAugmenter(224, 32, 1.0, aug);
        SplittableRandom rng = new SplittableRandom(1);
        double[] ms = new double[RUNS];
        double[] cpu = new double[RUNS];
        try (NDManager base = NDManager.newBaseManager()) {
            NDArray image = base.randomUniform(0f, 1f, new Shape(1, 3, side, side));
            NDArray weights = base.randomNormal(new Shape(32, 3, 224, 224));
            image.setRequiresGradient(true);
            for (int i = 0; i < WARMUP + RUNS; i++) {
                long t0 = System.nanoTime();
                long c0 = bean.getCurrentThreadCpuTime();
                try (NDManager step = base.newSubManager()) {
                    image.tempAttach(step);
                    if (backward) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray out = cutter.apply(image, rng);
                            gc.backward(out.mul(weights).sum());
                        }
                        assertThat(image.getGradient().getShape()).isEqualTo(image.getShape());
                    } else {
                        NDArray out = cutter.apply(image, rng);
                        out.sum().getFloat(); // wait for the result
                    }
                }
                if (i >= WARMUP) {
                    ms[i - WARMUP] = (System.nanoTime() - t0) / 1e6;
                    cpu[i - WARMUP] = (bean.getCurrentThreadCpuTime() - c0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        return new double[] {ms[RUNS / 2], cpu[RUNS / 2]};
    }
}
