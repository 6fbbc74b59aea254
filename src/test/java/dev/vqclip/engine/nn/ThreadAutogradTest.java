package dev.vqclip.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreadAutogradTest {
    /** d/dx sum(k·x²) = 2k·x, recorded while the other thread's scope is open too. */
    private static float[] gradientWhileTheOtherRecords(float k, CountDownLatch bothOpen) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (ThreadAutograd scope = ThreadAutograd.open()) {
                bothOpen.countDown();
                assertThat(bothOpen.await(30, TimeUnit.SECONDS)).isTrue();
                NDArray loss = Tensors.mul(x.square(), k).sum();
                scope.backward(loss);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void twoThreadsRecordAndDifferentiateAtTheSameTime() throws Exception {
        CountDownLatch bothOpen = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> a = pool.submit(() -> gradientWhileTheOtherRecords(1, bothOpen));
            Future<float[]> b = pool.submit(() -> gradientWhileTheOtherRecords(5, bothOpen));
            assertThat(a.get(60, TimeUnit.SECONDS)).containsExactly(2, 4, 6);
            assertThat(b.get(60, TimeUnit.SECONDS)).containsExactly(10, 20, 30);
        } finally {
            pool.shutdownNow();
        }
        // DJL's own collector allows one per process: the reason this scope exists
        try (GradientCollector first = Engine.getInstance().newGradientCollector()) {
            assertThatThrownBy(() -> Engine.getInstance().newGradientCollector())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closingRestoresTheThreadsRecordingMode() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            boolean[] modes = pool.submit(() -> {
                ThreadAutograd.recordNothing();
                boolean before = JniUtils.isGradMode();
                boolean inside;
                try (ThreadAutograd scope = ThreadAutograd.open()) {
                    inside = JniUtils.isGradMode();
                }
                return new boolean[] {before, inside, JniUtils.isGradMode()};
            }).get(60, TimeUnit.SECONDS);
            assertThat(modes).containsExactly(false, true, false);
        } finally {
            pool.shutdownNow();
        }
    }
}
