package dev.vqclip.app;

import javafx.application.Application;

import java.time.Duration;

/**
 * Opens the studio with the FAKE engine, for looking at the UI without models (developers only; lives in the test
 * sources so it can never ship). Run with the test class path, e.g. under {@code xvfb-run}.
 */
public final class FakeStudioMain {
    private FakeStudioMain() {
    }

    public static void main(String[] args) {
        long busy = Long.getLong("fake.busyMillis", 30);
        StudioApp.setLaunchConfig(new StudioConfig(p -> {
            for (int i = 1; i <= 5; i++) {
                p.update(i / 5.0, "pretending to load models " + i + "/5");
                Thread.sleep(200);
            }
            return new FakeRunFactory(busy);
        }, null, StudioConfig.DEMO_PROMPT, Duration.ofMinutes(3), 100, null));
        Application.launch(StudioApp.class, args);
    }
}
