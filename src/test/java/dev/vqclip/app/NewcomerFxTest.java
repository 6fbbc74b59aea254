package dev.vqclip.app;

import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.run.RunState;
import dev.vqclip.session.HistoryEntry;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import org.controlsfx.control.StatusBar;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vqclip.app.StudioAppFxTest.fx;
import static dev.vqclip.app.StudioAppFxTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/** The studio as a newcomer finds it (issue 22): honest states, painting after branching, the status bar. */
class NewcomerFxTest extends StudioFxHarness {
    StudioApp launch(FakeRunFactory engine, ScriptedDialogs dialogs) throws Exception {
        return start(engine, dialogs, 0, null);
    }

    String text(String id) throws Exception {
        return fx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    // ---- item 2: painting after "Continue from here" ----

    @Test
    void afterContinueFromHereThePausedRunTakesBrushStrokesAndTheRefusalHintGoes() throws Exception {
        StudioApp app = launch(new FakeRunFactory(2), new ScriptedDialogs());
        StudioViewModel vm = app.viewModel();
        HistoryEntry five = runAndFind(vm, "a lighthouse", 12, 5, 5);
        robot.interact(() -> vm.history().selectedProperty().set(five));

        // looking at a snapshot: the brush is refused, and the hint says why (not "pause the run")
        robot.clickOn("#canvasImage").type(KeyCode.B);
        mouseStroke(8, 8, 40, 20);
        assertThat(fx(() -> vm.canvas().paintLayerProperty().get())).isNull();
        assertThat(text("#paintMessage")).contains("history snapshot").contains("Continue from here")
                .doesNotContain("pause the run");

        robot.clickOn("#continueFromHere");
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.run().progress().stepProperty().get() == 5
                && vm.history().getBranch().equals("b2"), 10);
        assertThat(text("#paintMessage")).as("the hint went with the reason").isEmpty();
        assertThat(text("#canvasCaption")).isEqualTo("step 5");

        mouseStroke(8, 8, 40, 20);
        assertThat(fx(() -> vm.canvas().paintLayerProperty().get())).as("the brush painted").isNotNull();
        assertThat(fx(() -> vm.edits().canUndoProperty().get())).isTrue();
        assertThat(text("#paintMessage")).isEmpty();
        assertThat(fx(() -> vm.paint().toolProperty().get())).isEqualTo(PaintViewModel.Tool.BRUSH);
    }

    // ---- item 7: the status bar ----

    /** Writes a file that is no session, opens it with Ctrl+O and returns the status bar's text once it failed. */
    String openWithCtrlO(Path bad, ScriptedDialogs dialogs) throws Exception {
        Files.writeString(bad, "not a session");
        dialogs.files.add(bad);
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.O).release(KeyCode.CONTROL);
        waitUntil(() -> !dialogs.shown.isEmpty(), 10);
        return fx(() -> robot.lookup("#statusBar").queryAs(StatusBar.class).getText());
    }

    @Test
    void aFileErrorIsShownInFullNamingTheFileAndTheStatusClearsWhenARunStarts() throws Exception {
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioViewModel vm = launch(new FakeRunFactory(2), dialogs).viewModel();
        Path bad = tmp.resolve("a-session-with-a-rather-long-name-that-a-status-bar-would-cut-off.vqsession");
        String status = openWithCtrlO(bad, dialogs);
        assertThat(status).startsWith("could not open " + bad.getFileName() + ": ");
        assertThat(dialogs.shown).hasSize(1);
        assertThat(dialogs.shown.get(0)).as("a dialog names the file and says why")
                .startsWith("Could not open " + bad.getFileName() + ": File: " + bad.toAbsolutePath())
                .endsWith("not a session file (not a zip archive)");
        assertThat(status).contains("not a session file (not a zip archive)");
        StatusBar bar = robot.lookup("#statusBar").queryAs(StatusBar.class);
        assertThat(fx(() -> bar.getTooltip().getText())).as("the whole text is in the tooltip").isEqualTo(status);
        assertThat(fx(() -> robot.lookup("#statusDetails").query().isVisible())).isTrue();
        robot.clickOn("#statusDetails");
        assertThat(dialogs.shown).hasSize(2);
        assertThat(dialogs.shown.get(1)).isEqualTo("Error: " + status);

        // a new run: the old error goes
        robot.interact(() -> vm.prompts().rows().get(0).textProperty().set("a lighthouse"));
        robot.clickOn("#start");
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 2, 10);
        assertThat(fx(() -> vm.studio().statusProperty().get())).doesNotContain("could not open").isEqualTo("running");
        assertThat(fx(() -> robot.lookup("#statusDetails").query().isVisible())).isFalse();
    }

    @Test
    void theStatusBarStaysInsideTheWindowWithThePromptBarAbove() throws Exception {
        StudioApp app = launch(new FakeRunFactory(2), new ScriptedDialogs());
        javafx.geometry.Bounds window = fx(() -> {
            javafx.stage.Window w = robot.lookup("#statusBar").query().getScene().getWindow();
            return new javafx.geometry.BoundingBox(w.getX(), w.getY(), w.getWidth(), w.getHeight());
        });
        for (String id : new String[] {"#statusBar", "#promptText0", "#canvasImage"}) {
            javafx.geometry.Bounds b = fx(() -> {
                javafx.scene.Node n = robot.lookup(id).query();
                return n.localToScreen(n.getBoundsInLocal());
            });
            assertThat(b.getMaxY()).as("bottom of %s inside the %s window", id, window).isLessThanOrEqualTo(
                    window.getMaxY() + 0.5);
            assertThat(b.getMinY()).as("top of %s", id).isGreaterThanOrEqualTo(window.getMinY());
        }
        assertThat(app).isNotNull();
    }

    @Test
    void theStatusMessageGetsTheRoomInTheStatusBar() throws Exception {
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioViewModel vm = launch(new FakeRunFactory(2), dialogs).viewModel();
        String message = openWithCtrlO(tmp.resolve("holiday-sketches.vqsession"), dialogs);
        assertThat(message).startsWith("could not open holiday-sketches.vqsession: ");
        // the error comes first and is drawn whole (the run's own message after it may be cut)
        String error = "could not open holiday-sketches.vqsession: not a session file (not a zip archive)";
        assertThat(message).startsWith(error);
        // what the status bar's label really draws (a cut-off label draws its text with an ellipsis); the label's
        // text node follows its text at the next layout pulse, which a busy machine may not have run yet
        String drawn = "";
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!drawn.startsWith(error) && System.nanoTime() < deadline) {
            drawn = fx(() -> robot.lookup("#statusBar").lookup(".label").queryAll().stream()
                    .map(n -> (javafx.scene.control.Label) n).filter(l -> message.equals(l.getText()))
                    .findFirst().orElseThrow().lookupAll(".text").stream()
                    .map(n -> ((javafx.scene.text.Text) n).getText()).findFirst().orElse(""));
            if (!drawn.startsWith(error)) {
                Thread.sleep(50);
            }
        }
        assertThat(drawn).as("the status text as drawn in a 1200 px window").startsWith(error);
    }

    @Test
    void pauseShowsPausingUntilTheStepInProgressEnds() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(2);
        StudioApp app = launch(engine, new ScriptedDialogs());
        StudioViewModel vm = app.viewModel();
        robot.interact(() -> vm.prompts().rows().get(0).textProperty().set("a lighthouse"));
        robot.clickOn("#start");
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 2, 10);
        java.util.concurrent.CountDownLatch slowStep = new java.util.concurrent.CountDownLatch(1);
        engine.holdSteps = slowStep;
        waitUntil(() -> engine.held, 10);

        robot.clickOn("#pause");
        assertThat(fx(() -> vm.run().getState())).isEqualTo(RunState.PAUSING);
        assertThat(text("#runState")).isEqualTo("PAUSING…");
        assertThat(fx(() -> vm.studio().statusProperty().get())).isEqualTo("pausing after the step in progress…");
        assertThat(fx(() -> robot.lookup("#pause").queryAs(Button.class).isDisabled())).isTrue();
        assertThat(fx(() -> robot.lookup("#resume").queryAs(Button.class).isDisabled())).isTrue();
        assertThat(fx(() -> robot.lookup("#start").queryAs(Button.class).isDisabled())).isTrue();
        assertThat(fx(() -> robot.lookup("#stop").queryAs(Button.class).isDisabled())).isFalse();

        engine.holdSteps = null;
        slowStep.countDown();
        waitUntil(() -> vm.run().getState() == RunState.PAUSED, 10);
        int at = fx(() -> vm.run().progress().stepProperty().get());
        assertThat(text("#runState")).isEqualTo("PAUSED");
        assertThat(fx(() -> vm.studio().statusProperty().get())).isEqualTo("paused at step " + at);
    }

    // ---- item 3: undo names what it undoes and never changes a hidden editor unseen ----

    String menuText(String id) throws Exception {
        return fx(() -> robot.lookup("#menuBar").queryAs(javafx.scene.control.MenuBar.class).getMenus().stream()
                .flatMap(m -> m.getItems().stream()).filter(i -> id.equals(i.getId())).findFirst().orElseThrow()
                .getText());
    }

    void shortcut(KeyCode k) {
        robot.press(KeyCode.CONTROL).type(k).release(KeyCode.CONTROL);
    }

    /** @return whether the node lies inside the visible part of every scroll pane around it */
    boolean inView(String id) throws Exception {
        return fx(() -> {
            Node n = robot.lookup(id).query();
            javafx.geometry.Bounds b = n.localToScene(n.getBoundsInLocal());
            for (Node p = n.getParent(); p != null; p = p.getParent()) {
                if (p instanceof javafx.scene.control.ScrollPane sp) {
                    javafx.geometry.Bounds v = sp.localToScene(sp.getBoundsInLocal());
                    if (b.getMinY() < v.getMinY() || b.getMaxY() > v.getMaxY()) {
                        return false;
                    }
                }
            }
            return n.isVisible();
        });
    }

    /**
     * Scrolls the scroll pane around the node to the end that hides it; false when there is none, or it cannot be
     * hidden (a layout with everything in view).
     */
    boolean scrollAwayFrom(String id) throws Exception {
        javafx.scene.control.ScrollPane sp = fx(() -> {
            for (Node p = robot.lookup(id).query().getParent(); p != null; p = p.getParent()) {
                if (p instanceof javafx.scene.control.ScrollPane s
                        && s.getContent().getLayoutBounds().getHeight() > s.getViewportBounds().getHeight()) {
                    return s;
                }
            }
            return null;
        });
        if (sp == null) {
            return false;
        }
        for (boolean end : new boolean[] {true, false}) {
            robot.interact(() -> sp.setVvalue(end ? sp.getVmax() : sp.getVmin()));
            if (!inView(id)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theEditMenuNamesWhatUndoUndoesAndUndoingAnOutOfViewPromptEditShowsIt() throws Exception {
        StudioApp app = launch(new FakeRunFactory(2), new ScriptedDialogs());
        StudioViewModel vm = app.viewModel();
        robot.clickOn("#canvasImage");
        assertThat(menuText("menuUndo")).isEqualTo("_Undo");
        robot.interact(() -> vm.prompts().rows().get(0).textProperty().set("a lighthouse"));
        assertThat(menuText("menuUndo")).isEqualTo("_Undo prompt edit");
        robot.interact(() -> vm.settings().stepsProperty().set(1000));
        assertThat(menuText("menuUndo")).isEqualTo("_Undo steps change");
        robot.clickOn("#start");
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 3, 10);
        robot.clickOn("#pause");
        waitUntil(() -> vm.run().getState() == RunState.PAUSED, 10);
        robot.interact(() -> {
            vm.paint().toolProperty().set(PaintViewModel.Tool.BRUSH);
            vm.paint().press(4, 4);
            vm.paint().release(20, 12);
        });
        assertThat(menuText("menuUndo")).isEqualTo("_Undo brush stroke");
        robot.interact(() -> {
            vm.paint().toolProperty().set(PaintViewModel.Tool.MASK);
            vm.paint().press(30, 30);
            vm.paint().release(40, 40);
            vm.paint().toolProperty().set(PaintViewModel.Tool.PAN);
        });
        assertThat(menuText("menuUndo")).isEqualTo("_Undo mask stroke");

        shortcut(KeyCode.Z);
        assertThat(fx(() -> vm.canvas().maskLayerProperty().get())).isNull();
        assertThat(menuText("menuUndo")).isEqualTo("_Undo brush stroke");
        assertThat(menuText("menuRedo")).isEqualTo("_Redo mask stroke");
        shortcut(KeyCode.Y);
        assertThat(fx(() -> vm.canvas().maskLayerProperty().get())).isNotNull();
        shortcut(KeyCode.Z);
        shortcut(KeyCode.Z);
        assertThat(fx(() -> vm.canvas().paintLayerProperty().get())).isNull();
        assertThat(menuText("menuUndo")).isEqualTo("_Undo steps change");

        // the prompt is out of view (the side panel scrolled down to the tools); undoing its edit shows it
        boolean scrolled = scrollAwayFrom("#steps");
        if (scrolled) {
            assertThat(inView("#steps")).isFalse();
        }
        shortcut(KeyCode.Z);
        assertThat(fx(() -> vm.settings().stepsProperty().get())).isNotEqualTo(1000);
        assertThat(inView("#steps")).as("the undone setting is shown").isTrue();
        assertThat(menuText("menuUndo")).isEqualTo("_Undo prompt edit");
        scrolled = scrollAwayFrom("#promptText0");
        if (scrolled) {
            assertThat(inView("#promptText0")).isFalse();
        }
        shortcut(KeyCode.Z);
        assertThat(fx(() -> vm.prompts().prompts())).isEmpty();
        assertThat(inView("#promptText0")).as("the undone prompt edit is shown").isTrue();
        assertThat(fx(() -> robot.lookup("#promptText0").query().getStyleClass())).contains("just-changed");
        assertThat(menuText("menuRedo")).isEqualTo("_Redo prompt edit");

        // Space with the prompt empty: refused, with a message; the run stays paused
        int step = fx(() -> vm.run().progress().stepProperty().get());
        robot.type(KeyCode.SPACE);
        assertThat(fx(() -> vm.run().getState())).isEqualTo(RunState.PAUSED);
        assertThat(text("#runError")).startsWith("the prompt is empty");
        robot.clickOn("#resume");
        assertThat(fx(() -> vm.run().getState())).isEqualTo(RunState.PAUSED);
        assertThat(fx(() -> vm.run().progress().stepProperty().get())).isEqualTo(step);

        shortcut(KeyCode.Y);
        assertThat(fx(() -> vm.prompts().prompts().get(0).text())).isEqualTo("a lighthouse");
        assertThat(text("#runError")).as("the refusal no longer holds").isEmpty();
        robot.type(KeyCode.SPACE);
        waitUntil(() -> vm.run().progress().stepProperty().get() > step, 10);
    }

    // ---- item 6: open image to edit ----

    int[] shownPixels() throws Exception {
        return fx(() -> {
            javafx.scene.image.Image img = robot.lookup("#canvasImage").queryAs(ImageView.class).getImage();
            int w = (int) img.getWidth();
            int h = (int) img.getHeight();
            int[] px = new int[w * h];
            img.getPixelReader().getPixels(0, 0, w, h, javafx.scene.image.PixelFormat.getIntArgbInstance(), px, 0, w);
            return px;
        });
    }

    @Test
    void anOpenedImageShowsAtOncePausedAtStepZeroAndResumeStartsTheEditRunWithAHistoryEntry() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(2);
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioApp app = launch(engine, dialogs);
        StudioViewModel vm = app.viewModel();
        int[] px = new int[80 * 48];
        java.util.Arrays.fill(px, 0xff336699);
        Path img = tmp.resolve("old_boat.png");
        Files.write(img, dev.vqclip.engine.image.Png.encode(new dev.vqclip.engine.image.Frame(80, 48, px),
                java.util.Map.of()));
        java.util.concurrent.CountDownLatch encoding = new java.util.concurrent.CountDownLatch(1);
        engine.holdStart = encoding; // the VQGAN encoding of the image takes its time
        dialogs.files.add(img);
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT).type(KeyCode.O).release(KeyCode.SHIFT, KeyCode.CONTROL);

        // at once, while the engine still encodes: the image, PAUSED at step 0, Resume enabled
        waitUntil(() -> vm.canvas().getFrame() != null, 10);
        int[] shown = shownPixels();
        assertThat(shown).hasSize(80 * 48).containsOnly(0xff336699);
        assertThat(text("#runState")).isEqualTo("PAUSED");
        assertThat(text("#stepLabel")).startsWith("0 / ");
        assertThat(fx(() -> robot.lookup("#resume").queryAs(Button.class).isDisabled())).isFalse();
        assertThat(fx(() -> vm.studio().statusProperty().get())).contains("editing old_boat.png at 80×48: paint, mask, "
                + "then Resume");
        assertThat(fx(() -> vm.paint().paintAllowedProperty().get())).as("the brush works").isTrue();

        robot.clickOn("#resume");
        assertThat(fx(() -> vm.run().getState())).isEqualTo(RunState.RUNNING);
        encoding.countDown();
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 3, 10);
        assertThat(fx(() -> vm.run().getState())).isEqualTo(RunState.RUNNING);
        HistoryEntry first = fx(() -> vm.history().entries().get(0));
        assertThat(first.step()).isZero();
        assertThat(first.label()).isEqualTo("opened old_boat.png");
        assertThat(first.snapshot().request().initImage()).isEqualTo(img);
        robot.clickOn("#pause");
        waitUntil(() -> vm.run().getState() == RunState.PAUSED, 10);
    }
}
