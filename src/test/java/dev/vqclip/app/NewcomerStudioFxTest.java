package dev.vqclip.app;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.run.RunState;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.ImageMetadataTest;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.canvas.Canvas;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22 items 4, 5, 8 and 12 in the window (TestFX, Monocle headless, the fake engine): the prompt area, the
 * first-launch hint, the loss chart per branch after reopening, the mask outline and grid after reopening, and the
 * Save / Don't Save / Cancel question.
 */
class NewcomerStudioFxTest extends StudioFxHarness {
    StudioApp launch(FakeRunFactory engine, ScriptedDialogs dialogs) throws Exception {
        return start(engine, dialogs, 0, null);
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    static void waitUntil(Callable<Boolean> c, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> fx(c));
    }

    Bounds screen(String id) throws Exception {
        return fx(() -> {
            Node n = robot.lookup(id).query();
            return n.localToScene(n.getBoundsInLocal());
        });
    }

    boolean shown(String id) throws Exception {
        return fx(() -> {
            Node n = robot.lookup(id).query();
            for (Node p = n; p != null; p = p.getParent()) {
                if (!p.isVisible()) {
                    return false;
                }
            }
            Bounds b = n.localToScene(n.getBoundsInLocal());
            return b.getWidth() > 0 && b.getHeight() > 0 && b.getMaxY() <= n.getScene().getHeight()
                    && b.getMaxX() <= n.getScene().getWidth();
        });
    }

    // ---- item 8: the prompt area and the first-launch hint ----

    @Test
    void thePromptAreaIsWideMultiLineAndWrapsWithTheNegativePromptAndSizeStepsSeedInView() throws Exception {
        StudioApp app = launch(new FakeRunFactory(0), new ScriptedDialogs());
        StudioViewModel vm = app.viewModel();
        double sceneWidth = fx(() -> robot.lookup("#main").query().getScene().getWidth());

        for (String id : new String[] {"#promptText0", "#negativePrompt", "#width", "#height", "#steps", "#seed",
                "#canvasHint", "#promptHint", "#start"}) {
            assertThat(shown(id)).as(id + " is in view").isTrue();
        }
        TextArea prompt = robot.lookup("#promptText0").queryAs(TextArea.class);
        TextArea negative = robot.lookup("#negativePrompt").queryAs(TextArea.class);
        assertThat(prompt.isWrapText()).isTrue();
        assertThat(negative.isWrapText()).isTrue();
        Bounds p = screen("#promptText0");
        Bounds n = screen("#negativePrompt");
        assertThat(p.getWidth()).as("the prompt is wide").isGreaterThan(0.35 * sceneWidth);
        assertThat(p.getHeight()).as("several lines high").isGreaterThan(2.5 * fx(prompt::getFont).getSize());
        assertThat(n.getMinX()).as("the negative prompt is beside the prompt").isGreaterThan(p.getMaxX());
        assertThat(n.getMinY()).isLessThan(p.getMaxY());
        // size, steps and seed sit beside the prompts, above the canvas and the paint tools
        Bounds canvas = screen("#canvas");
        for (String id : new String[] {"#width", "#steps", "#seed"}) {
            assertThat(screen(id).getMaxY()).as(id + " above the canvas").isLessThan(canvas.getMinY());
            assertThat(screen(id).getMinX()).as(id + " right of the negative prompt").isGreaterThan(n.getMaxX());
        }
        assertThat(screen("#width").getMaxY()).isLessThan(screen("#paintPane").getMinY());

        // empty: Generate is disabled and both hints say what to do
        assertThat(robot.lookup("#start").queryAs(Button.class).isDisabled()).isTrue();
        assertThat(robot.lookup("#stepOnce").queryAs(Button.class).isDisabled()).as("Step would start a run too")
                .isTrue();
        assertThat(robot.lookup("#canvasHint").queryAs(Label.class).getText())
                .startsWith("Type a prompt above and press Generate (Ctrl+Enter)");

        // a long prompt wraps (no horizontal scrolling) and the area grows
        String longText = "a lighthouse at dawn on a rocky coast, watercolor, soft light, seagulls, "
                + "fog over the sea, warm colours, highly detailed, by a careful painter who likes long prompts "
                + "and wide skies with many small clouds, a red boat in the harbour, old stone houses on the hill, "
                + "a winding path down to the beach, children flying kites, a dog chasing waves, evening mood";
        // typed by the robot in part (typing all of it costs seconds), the rest set in the field
        robot.interact(() -> {
            prompt.setText(longText.substring(0, longText.length() - 6));
            prompt.requestFocus();
            prompt.end();
        });
        robot.write(longText.substring(longText.length() - 6));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> vm.prompts().rows().get(0).textProperty().get())).isEqualTo(longText);
        Node text = fx(() -> prompt.lookup(".text"));
        Bounds textBounds = fx(() -> text.getLayoutBounds());
        assertThat(textBounds.getWidth()).as("wrapped to the area's width").isLessThan(p.getWidth());
        assertThat(fx(prompt::getPrefRowCount)).as("the area grew with its text").isGreaterThan(3);
        assertThat(robot.lookup("#promptHint").queryAs(Label.class).isVisible()).isFalse();
        assertThat(robot.lookup("#start").queryAs(Button.class).isDisabled()).isFalse();
        assertThat(robot.lookup("#stepOnce").queryAs(Button.class).isDisabled()).isFalse();

        // Ctrl+Enter in the prompt generates; the canvas hint goes once there is an image
        robot.interact(() -> {
            vm.settings().widthProperty().set(64);
            vm.settings().heightProperty().set(64);
            vm.settings().stepsProperty().set(5);
        });
        robot.clickOn("#promptText0");
        robot.press(KeyCode.CONTROL).type(KeyCode.ENTER).release(KeyCode.CONTROL);
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 1, 10);
        assertThat(fx(() -> vm.prompts().rows().get(0).textProperty().get())).as("no newline typed")
                .isEqualTo(longText);
        waitUntil(() -> !robot.lookup("#canvasHint").query().isVisible(), 5);
    }

    @Test
    void theNegativePromptFieldFeedsTheRunAndANegativePromptAloneCannotStart() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(0);
        StudioApp app = launch(engine, new ScriptedDialogs());
        StudioViewModel vm = app.viewModel();
        robot.clickOn("#negativePrompt").write("blurry");
        assertThat(fx(() -> vm.prompts().negativeProperty().get())).isEqualTo("blurry");
        assertThat(robot.lookup("#start").queryAs(Button.class).isDisabled()).as("nothing to move towards").isTrue();
        assertThat(robot.lookup("#promptHint").queryAs(Label.class).isVisible()).isTrue();
        robot.clickOn("#promptText0").write("red");
        robot.interact(() -> vm.settings().stepsProperty().set(3));
        robot.clickOn("#start");
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.run().progress().stepProperty().get() == 3, 10);
        assertThat(engine.promptLog).contains("3:[red, blurry]");
        assertThat(fx(() -> vm.history().entries().get(0).snapshot().request().prompts().get(1).weight()))
                .isEqualTo(-1.0);
    }

    // ---- items 4 and 5: the chart, the mask and the grid after reopening ----

    @Test
    void afterReopeningTheChartHasBothBranchesAndTheMaskHasItsOutlineAndTheGridShowsBeforeAnyStep()
            throws Exception {
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioApp app = launch(new FakeRunFactory(0), dialogs);
        StudioViewModel vm = app.viewModel();
        HistoryEntry four = runAndFind(vm, "red", 12, 4, 4);
        robot.interact(() -> {
            vm.history().selectedProperty().set(four);
            vm.continueFromSelected();
        });
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.history().getBranch().equals("b2"), 10);
        robot.interact(() -> vm.run().resume());
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.run().progress().stepProperty().get() == 12, 20);
        robot.interact(() -> {
            vm.paint().toolProperty().set(dev.vqclip.app.paint.PaintViewModel.Tool.MASK);
            vm.paint().sizeProperty().set(6);
            vm.paint().press(20, 20);
            vm.paint().drag(44, 44);
            vm.paint().release(44, 44);
        });
        @SuppressWarnings("unchecked")
        LineChart<Number, Number> chart = robot.lookup("#lossChart").queryAs(LineChart.class);
        assertThat(fx(() -> chart.getData().stream().map(XYChart.Series::getName).toList()))
                .containsExactly("b1", "b2 from step 4");
        int[] overlayBefore = overlayPixels();
        assertThat(countEdgePixels(overlayBefore)).as("the live mask has its outline").isPositive();
        Path file = tmp.resolve("reopen.vqsession");
        dialogs.files.add(file);
        robot.interact(vm.files()::save);
        waitUntil(() -> vm.studio().noticeProperty().get().equals("saved reopen.vqsession"), 30);
        FxToolkit.cleanupApplication(app);
        apps.remove(app);
        FxToolkit.cleanupStages();

        FakeRunFactory engine2 = new FakeRunFactory(0);
        ScriptedDialogs dialogs2 = new ScriptedDialogs();
        dialogs2.files.add(file);
        StudioApp app2 = launch(engine2, dialogs2);
        StudioViewModel vm2 = app2.viewModel();
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.O).release(KeyCode.CONTROL);
        waitUntil(() -> vm2.studio().noticeProperty().get().equals("opened reopen.vqsession"), 10);
        @SuppressWarnings("unchecked")
        LineChart<Number, Number> chart2 = robot.lookup("#lossChart").queryAs(LineChart.class);
        assertThat(fx(() -> chart2.getData().stream().map(XYChart.Series::getName).toList()))
                .containsExactly("b1", "b2 from step 4");
        assertThat(fx(() -> chart2.getData().get(1).getData().size()))
                .isEqualTo(fx(() -> chart.getData().get(1).getData().size()));
        assertThat(fx(() -> {
            javafx.scene.chart.NumberAxis y = (javafx.scene.chart.NumberAxis) chart2.getYAxis();
            return chart2.getData().stream().flatMap(x -> x.getData().stream()).mapToDouble(d -> d.getYValue()
                    .doubleValue()).allMatch(v -> v >= y.getLowerBound() && v <= y.getUpperBound());
        })).as("the y axis takes in the reopened curves").isTrue();
        assertThat(engine2.openRuns).as("nothing has stepped yet").isZero();
        int[] overlayAfter = overlayPixels();
        assertThat(overlayAfter).as("the mask is drawn as before saving: tinted cells and outline")
                .isEqualTo(overlayBefore);
        robot.interact(() -> vm2.canvas().showGridProperty().set(true));
        int[] withGrid = overlayPixels();
        assertThat(withGrid).as("the grid shows right after opening").isNotEqualTo(overlayAfter);
        // a grid line runs down x = 8 (cells of 8 px on the fake engine), not through a cell's middle
        assertThat(withGrid[10 * 64 + 8]).isNotEqualTo(overlayAfter[10 * 64 + 8]);
        assertThat(withGrid[10 * 64 + 12]).isEqualTo(overlayAfter[10 * 64 + 12]);
    }

    /** @return the mask/grid overlay as ARGB, in image pixels */
    int[] overlayPixels() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> {
            Canvas overlay = findCanvas(robot.lookup("#canvas").query());
            WritableImage img = overlay.snapshot(null, null);
            int w = (int) img.getWidth();
            int h = (int) img.getHeight();
            int[] px = new int[w * h];
            PixelReader r = img.getPixelReader();
            r.getPixels(0, 0, w, h, javafx.scene.image.PixelFormat.getIntArgbInstance(), px, 0, w);
            return px;
        });
    }

    static Canvas findCanvas(Node n) {
        if (n instanceof Canvas c) {
            return c;
        }
        if (n instanceof javafx.scene.Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                Canvas c = findCanvas(child);
                if (c != null) {
                    return c;
                }
            }
        }
        if (n instanceof javafx.scene.control.ScrollPane sp && sp.getContent() != null) {
            return findCanvas(sp.getContent());
        }
        return null;
    }

    /** Pixels of the outline's yellow (255, 230, 0): present only where cells in and out of the mask meet. */
    static long countEdgePixels(int[] px) {
        return java.util.Arrays.stream(px).filter(p -> (p >> 16 & 0xff) > 200 && (p >> 8 & 0xff) > 170
                && (p & 0xff) < 80).count();
    }

    // ---- item 12: Save / Don't Save / Cancel ----

    @Test
    void closingWithUnsavedWorkAsksAndCancelKeepsTheWindowWhileSaveSavesThenCloses() throws Exception {
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioApp app = launch(new FakeRunFactory(0), dialogs);
        StudioViewModel vm = app.viewModel();
        robot.clickOn("#promptText0").write("red");
        Stage stage = fx(() -> (Stage) robot.lookup("#main").query().getScene().getWindow());
        assertThat(fx(() -> vm.files().dirtyProperty().get())).isTrue();

        dialogs.unsaved = DialogService.Unsaved.CANCEL;
        robot.clickOn("#promptText0").press(KeyCode.CONTROL).type(KeyCode.Q).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(dialogs.unsavedAsked).containsExactly("the session");
        assertThat(fx(stage::isShowing)).as("Cancel: the window stays").isTrue();

        Path file = tmp.resolve("on-close.vqsession");
        dialogs.unsaved = DialogService.Unsaved.SAVE;
        dialogs.files.add(file);
        robot.interact(() -> stage.fireEvent(new javafx.stage.WindowEvent(stage,
                javafx.stage.WindowEvent.WINDOW_CLOSE_REQUEST)));
        waitUntil(() -> !stage.isShowing(), 10);
        assertThat(Files.isRegularFile(file)).isTrue();
        assertThat(dev.vqclip.session.SessionStore.load(file).data().promptRows().get(0).text()).isEqualTo("red");
    }

    /** Also issue 24: a prompt in three scripts comes back from every export exactly (UTF-8 iTXt, as the CLI's). */
    @Test
    void theFileMenuExportsTheFrameAtOneTwoAndFourTimesItsSizeWithAPromptInThreeScripts() throws Exception {
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioApp app = launch(new FakeRunFactory(0), dialogs);
        StudioViewModel vm = app.viewModel();
        String prompt = "猫 café ñ";
        robot.interact(() -> {
            configure(vm, prompt, 64, 48, 3, vm.settings().historyEveryProperty().get());
            vm.settings().seedProperty().set(4321);
            vm.start();
        });
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.run().progress().stepProperty().get() == 3, 10);
        javafx.scene.control.MenuBar bar = robot.lookup("#menuBar").queryAs(javafx.scene.control.MenuBar.class);
        for (int scale : new int[] {1, 2, 4}) {
            String id = scale == 1 ? "menuExportPng" : "menuExportPng" + scale + "x";
            javafx.scene.control.MenuItem item = fx(() -> bar.getMenus().get(0).getItems().stream()
                    .filter(i -> id.equals(i.getId())).findFirst().orElseThrow());
            assertThat(item.getText()).isEqualTo(scale == 1 ? "_Export frame as PNG…"
                    : "Export frame _" + scale + "× upscaled…");
            Path f = tmp.resolve("猫-" + scale + "x.png");
            dialogs.files.add(f);
            robot.interact(item::fire);
            waitUntil(() -> vm.studio().noticeProperty().get().startsWith("exported 猫-" + scale + "x.png"), 10);
            byte[] png = Files.readAllBytes(f);
            dev.vqclip.engine.image.Frame out = dev.vqclip.engine.image.Images.decode(png, f.toString());
            assertThat(out.width()).isEqualTo(64 * scale);
            assertThat(out.height()).isEqualTo(48 * scale);
            java.util.Map<String, String> text = ImageMetadataTest.assertReadsBack(png, prompt, 4321, 3);
            if (scale == 1) {
                assertThat(out.argb()).isEqualTo(fx(() -> vm.canvas().getFrame().argb()));
                assertThat(text).doesNotContainKey("vqclip.scale");
            } else {
                assertThat(text).containsEntry("vqclip.scale", scale + "x Lanczos-3 from 64x48");
            }
        }
    }

    @Test
    void theRealQuestionOffersSaveDontSaveAndCancel() throws Exception {
        Stage owner = fx(() -> {
            Stage s = new Stage();
            s.setScene(new javafx.scene.Scene(new javafx.scene.layout.StackPane(), 200, 100));
            s.show();
            return s;
        });
        FxDialogService service = new FxDialogService(owner);
        for (String click : new String[] {"Cancel", "Don't Save", "Save"}) {
            CompletableFuture<DialogService.Unsaved> answer = new CompletableFuture<>();
            Platform.runLater(() -> answer.complete(service.askUnsaved("the session")));
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> Window.getWindows().stream()
                    .anyMatch(w -> w != owner && w.isShowing() && w.getScene() != null
                            && w.getScene().lookup(".dialog-pane") != null)));
            List<String> buttons = fx(() -> robot.lookup(".dialog-pane .button").queryAllAs(Button.class).stream()
                    .map(Button::getText).toList());
            assertThat(buttons).containsExactlyInAnyOrder("Save", "Don't Save", "Cancel");
            Button b = fx(() -> robot.lookup(".dialog-pane .button").queryAllAs(Button.class).stream()
                    .filter(x -> x.getText().equals(click)).findFirst().orElseThrow());
            robot.interact(b::fire);
            DialogService.Unsaved got = answer.get(10, TimeUnit.SECONDS);
            assertThat(got).isEqualTo(switch (click) {
                case "Save" -> DialogService.Unsaved.SAVE;
                case "Don't Save" -> DialogService.Unsaved.DISCARD;
                default -> DialogService.Unsaved.CANCEL;
            });
        }
        robot.interact(owner::close);
    }
}
