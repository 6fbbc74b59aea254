package dev.vqclip.app;

import dev.vqclip.engine.run.RunFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.vqclip.app.StudioAppFxTest.waitUntil;

/**
 * What every TestFX test of the whole studio needs: the toolkit, a robot, a temporary folder, and studios started
 * on a fake engine and closed after each test.
 */
abstract class StudioFxHarness {
    @TempDir
    Path tmp;
    final FxRobot robot = new FxRobot();
    final List<StudioApp> apps = new ArrayList<>();

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void close() throws Exception {
        for (StudioApp a : apps) {
            FxToolkit.cleanupApplication(a);
        }
        FxToolkit.cleanupStages();
    }

    /**
     * Starts a studio on {@code engine} and waits until its engine is ready.
     *
     * @param recovery the recovery copy's path, or null for the default
     */
    StudioApp start(RunFactory engine, ScriptedDialogs dialogs, long frameIntervalMs, Path recovery)
            throws Exception {
        StudioConfig c = new StudioConfig(p -> engine, w -> dialogs, null, null, frameIntervalMs, null);
        StudioApp app = (StudioApp) FxToolkit.setupApplication(
                () -> recovery == null ? new StudioApp(c) : new StudioApp(c, recovery));
        apps.add(app);
        waitUntil(() -> app.viewModel().run().engine().engineReadyProperty().get(), 10);
        return app;
    }

}
