package dev.vqclip.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StudioCommandTest {
    static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noCommandWithoutDisplayPrintsUsageInsteadOfOpeningAWindow() {
        assertThat(StudioCommand.displayAvailable()).isFalse(); // surefire runs with java.awt.headless=true
        int[] code = new int[1];
        String out = capture(() -> code[0] = Main.run());
        assertThat(code[0]).isZero();
        assertThat(out).contains("Usage: vqclip").contains("studio").contains("no display found");
    }

    @Test
    void studioCommandHasHelpAndRefusesWithoutDisplay() {
        int[] code = new int[1];
        String out = capture(() -> code[0] = Main.run("studio", "--help"));
        assertThat(code[0]).isZero();
        assertThat(out).contains("--demo-script").contains("--open");
        assertThat(Main.run("studio")).isEqualTo(2);
    }
}
