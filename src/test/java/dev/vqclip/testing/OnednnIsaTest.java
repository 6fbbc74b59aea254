package dev.vqclip.testing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The surefire executions that repeat the parity tests with oneDNN capped to one instruction set really hand the cap to
 * their child JVMs: each names the value it sets ({@code -Dvqclip.expectedOnednnIsa}), and the environment of the JVM
 * running the tests holds exactly that ({@code ONEDNN_MAX_CPU_ISA}, read by oneDNN when PyTorch first uses it). In the
 * default execution neither is set.
 */
class OnednnIsaTest {
    @Test
    void theChildJvmHasTheInstructionSetCapItsExecutionNames() {
        String expected = System.getProperty("vqclip.expectedOnednnIsa");
        String actual = System.getenv("ONEDNN_MAX_CPU_ISA");
        System.out.println("ONEDNN_MAX_CPU_ISA=" + actual + " (execution expects " + expected + ")");
        if (expected == null) {
            return; // the default execution runs with whatever the machine has; nothing to compare
        }
        assertThat(actual).isEqualTo(expected);
    }
}
