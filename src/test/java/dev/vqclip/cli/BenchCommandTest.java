package dev.vqclip.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandTest {
    @Test
    void anUnknownModelNameListsTheKnownOnes() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("bench", "clip", "--random-weights", "RN50", "--device", "cpu");
        } finally {
            System.setErr(oldErr);
        }
        assertThat(code).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("RN50").contains("ViT-B/32");
    }
}
