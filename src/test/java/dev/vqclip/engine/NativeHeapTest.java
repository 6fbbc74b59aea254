package dev.vqclip.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeHeapTest {
    private static final long MIB = 1 << 20;

    /**
     * 20 "steps" that each allocate 16 tensors of 1.5 MiB and free them, as the engine brackets its steps (glibc's
     * allocator, the default mode).
     *
     * @return how many trims ran during the steps
     */
    private static long steps() {
        assumeTrue(Platform.isLinux(), "glibc's allocator is what this is about");
        assumeTrue(NativeHeap.mode() == NativeHeap.Mode.IDLE, "the default mode");
        long trims = NativeHeap.trims();
        try (NDManager root = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            for (int i = 0; i < 20; i++) {
                NativeHeap.beforeStep();
                try (NDManager step = root.newSubManager()) {
                    for (int k = 0; k < 16; k++) {
                        step.full(new Shape(384 * 1024), k);
                    }
                } finally {
                    NativeHeap.afterStep(ai.djl.Device.cpu());
                }
            }
        }
        return NativeHeap.trims() - trims;
    }

    @Test
    void freedMemoryStaysWhileStepsFollowAndGoesBackWhenTheEngineIsIdle() throws Exception {
        assertThat(steps()).as("trims while steps followed each other").isZero();
        long trims = NativeHeap.trims();
        NativeHeap.Stats held = NativeHeap.stats().orElseThrow();
        long before = rss();
        long deadline = System.nanoTime() + (NativeHeap.idleMillis() + 5000) * 1_000_000;
        while (NativeHeap.trims() == trims && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long after = rss();
        System.out.printf("allocator %s; RSS %d MiB while steps ran, %d MiB once idle%n", held, before / MIB,
                after / MIB);
        assertThat(NativeHeap.trims()).as("the idle trimmer ran once").isEqualTo(trims + 1);
        // other threads of the test JVM (JIT, GC) may allocate meanwhile: a few MiB
        assertThat(after).as("RSS once idle").isLessThanOrEqualTo(before + 8 * MIB);
    }

    @Test
    void noTrimWhileAStepIsRunning() throws Exception {
        steps();
        NativeHeap.beforeStep();
        try {
            long trims = NativeHeap.trims();
            Thread.sleep(NativeHeap.idleMillis() + 700);
            assertThat(NativeHeap.trims()).as("a step is running: nothing trimmed").isEqualTo(trims);
        } finally {
            NativeHeap.afterStep(ai.djl.Device.cpu());
        }
    }

    @Test
    void theGuardTripsWhenFreeMemoryPilesUpBeyondWhatTheFirstStepsLeft() {
        NativeHeap.resetGuard();
        for (int i = 0; i < NativeHeap.LEARN_STEPS; i++) {
            assertThat(NativeHeap.overGuard(1000 * MIB + i * MIB)).as("learning, step %d", i + 1).isFalse();
        }
        // learned: 1002 MiB; the guard is 1.5 times that plus 256 MiB = 1759 MiB
        assertThat(NativeHeap.overGuard(1500 * MIB)).isFalse();
        assertThat(NativeHeap.overGuard(1758 * MIB)).isFalse();
        assertThat(NativeHeap.overGuard(1760 * MIB)).isTrue();
        NativeHeap.resetGuard();
        assertThat(NativeHeap.overGuard(5000 * MIB)).as("learning again after a trim").isFalse();
    }

    @Test
    void hugePagesAreOfferedOnlyWhereTheKernelGivesThemOnRequest(@TempDir Path dir) throws IOException {
        Path setting = dir.resolve("enabled");
        Files.writeString(setting, "always [madvise] never\n");
        assertThat(NativeHeap.hugePagesAvailable(setting)).isTrue();
        Files.writeString(setting, "[always] madvise never\n");
        assertThat(NativeHeap.hugePagesAvailable(setting)).isTrue();
        Files.writeString(setting, "always madvise [never]\n");
        assertThat(NativeHeap.hugePagesAvailable(setting)).isFalse();
        assertThat(NativeHeap.hugePagesAvailable(dir.resolve("absent"))).isFalse();
    }

    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }
}
