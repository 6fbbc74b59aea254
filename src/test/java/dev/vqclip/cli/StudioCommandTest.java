package dev.vqclip.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StudioCommandTest {
    @Test
    void noCommandWithoutDisplayPrintsUsageInsteadOfOpeningAWindow() {
        assertThat(StudioCommand.displayAvailable()).isFalse(); // surefire runs with java.awt.headless=true
        assertThat(CliRun.outputOf()).contains("Usage: vqclip").contains("studio").contains("no display found");
    }

    @Test
    void studioCommandHasHelpAndRefusesWithoutDisplay() {
        assertThat(CliRun.outputOf("studio", "--help")).contains("--demo-script").contains("--open");
        CliRun refused = CliRun.of("studio");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("no display found");
    }
}
