package dev.vqclip.app;

import dev.vqclip.app.run.RunState;
import dev.vqclip.engine.run.RunFactory;
import dev.vqclip.session.HistoryEntry;
import javafx.geometry.Point2D;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseButton;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

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
        StudioApp app = launch(() -> recovery == null ? new StudioApp(c) : new StudioApp(c, recovery));
        waitUntil(() -> app.viewModel().run().engine().engineReadyProperty().get(), 10);
        return app;
    }

    /** Starts a studio made by {@code make} (closed after the test) without waiting for its engine. */
    StudioApp launch(Supplier<StudioApp> make) throws Exception {
        StudioApp app = (StudioApp) FxToolkit.setupApplication(make::get);
        apps.add(app);
        return app;
    }

    /** Types {@code prompt} into the first row and sets the run's size, steps and history interval (UI thread). */
    static void configure(StudioViewModel vm, String prompt, int width, int height, int steps, int historyEvery) {
        vm.prompts().rows().get(0).textProperty().set(prompt);
        vm.settings().widthProperty().set(width);
        vm.settings().heightProperty().set(height);
        vm.settings().stepsProperty().set(steps);
        vm.settings().historyEveryProperty().set(historyEvery);
    }

    /**
     * Runs {@code steps} steps of a 64×64 run of {@code prompt} keeping history every {@code every} steps, waits for
     * the pause at its end and returns the history entry of step {@code at}.
     */
    HistoryEntry runAndFind(StudioViewModel vm, String prompt, int steps, int every, int at) throws Exception {
        robot.interact(() -> {
            configure(vm, prompt, 64, 64, steps, every);
            vm.start();
        });
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.run().progress().stepProperty().get() == steps,
                20);
        return StudioAppFxTest.fx(() -> vm.history().entries().stream().filter(e -> e.step() == at).findFirst()
                .orElseThrow());
    }

    /** Screen point of image pixel (x, y) on the canvas, whatever the zoom. */
    Point2D onImage(double x, double y) throws Exception {
        return StudioAppFxTest.fx(() -> robot.lookup("#canvasImage").queryAs(ImageView.class).localToScreen(x, y));
    }

    /** Drags the mouse over the image from (x0, y0) to (x1, y1) in four moves. */
    void mouseStroke(double x0, double y0, double x1, double y1) throws Exception {
        robot.moveTo(onImage(x0, y0)).press(MouseButton.PRIMARY);
        for (int i = 1; i <= 4; i++) {
            robot.moveTo(onImage(x0 + (x1 - x0) * i / 4, y0 + (y1 - y0) * i / 4));
        }
        robot.release(MouseButton.PRIMARY);
    }

    /** Scrolls the side panel so the node is on screen (the panel is taller than the test window). */
    void reveal(String query) {
        robot.interact(() -> {
            javafx.scene.Node n = robot.lookup(query).query();
            javafx.scene.Node p = n.getParent();
            while (p != null && !(p instanceof javafx.scene.control.ScrollPane)) {
                p = p.getParent();
            }
            if (p instanceof javafx.scene.control.ScrollPane sp) {
                javafx.scene.Node content = sp.getContent();
                javafx.geometry.Bounds b = content.sceneToLocal(n.localToScene(n.getBoundsInLocal()));
                double extra = content.getBoundsInLocal().getHeight() - sp.getViewportBounds().getHeight();
                if (extra > 0) {
                    sp.setVvalue(Math.max(0, Math.min(1, (b.getMinY() - 40) / extra)));
                }
            }
        });
    }
}
