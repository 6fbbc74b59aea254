package dev.vqclip.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs in its own JVM (surefire forks one per class), before anything loads libtorch. */
class EngineThreadsTest {
    @Test
    void theStudioLeavesACoreToItsWindowFromFourCores() {
        assertThat(EngineThreads.defaultThreads(2, true)).isEqualTo(2);
        assertThat(EngineThreads.defaultThreads(3, true)).isEqualTo(3);
        assertThat(EngineThreads.defaultThreads(4, true)).isEqualTo(3);
        assertThat(EngineThreads.defaultThreads(16, true)).isEqualTo(15);
        assertThat(EngineThreads.defaultThreads(16, false)).isEqualTo(16);
        assertThat(EngineThreads.defaultThreads(1, true)).isEqualTo(1);
    }

    @Test
    void configureSetsThePassiveWaitPolicyInTheProcessEnvironmentBeforeTheEngineLoads() {
        assertThat(EngineThreads.engineLoaded()).as("nothing has loaded libtorch in this JVM yet").isFalse();
        String before = EngineThreads.processEnv(EngineThreads.WAIT_POLICY);
        String tf32Before = EngineThreads.processEnv(EngineThreads.TF32_OVERRIDE);
        int n = EngineThreads.configure(1, false);
        if (tf32Before == null) {
            // cuBLAS and cuDNN read it when they start: TF32 off so a GPU step matches the CPU's
            assertThat(EngineThreads.processEnv(EngineThreads.TF32_OVERRIDE)).isEqualTo("0");
            assertThat(EngineThreads.tf32()).isEqualTo("0 (set by vqclip)");
        } else {
            assertThat(EngineThreads.tf32()).isEqualTo(tf32Before + " (from the environment)");
        }
        assertThat(n).isEqualTo(1);
        assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo("1");
        if (before == null) {
            assertThat(EngineThreads.processEnv(EngineThreads.WAIT_POLICY)).isEqualTo("PASSIVE");
            assertThat(EngineThreads.waitPolicy()).isEqualTo("PASSIVE (set by vqclip)");
        } else {
            assertThat(EngineThreads.waitPolicy()).isEqualTo(before + " (from the environment)");
        }
        // the engine then starts with that many threads
        ai.djl.engine.Engine.getInstance();
        assertThat(EngineThreads.engineLoaded()).isTrue();
        assertThat(ai.djl.pytorch.jni.JniUtils.getNumThreads()).isEqualTo(1);
        EngineThreads.configure(2, false);
        assertThat(ai.djl.pytorch.jni.JniUtils.getNumThreads()).as("changed after loading too").isEqualTo(2);
    }

    @Test
    void aThreadCountBelowOneIsRefused() {
        assertThatThrownBy(() -> EngineThreads.configure(0, false)).hasMessageContaining("at least 1");
    }
}
