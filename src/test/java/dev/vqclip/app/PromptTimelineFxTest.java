package dev.vqclip.app;

import dev.vqclip.app.prompt.PromptTimeline;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.guide.PromptSpan;
import javafx.geometry.Point2D;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import org.junit.jupiter.api.Test;
import org.testfx.util.WaitForAsyncUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** The prompt timeline in the whole studio (TestFX, Monocle headless): drag a span's end with the mouse, undo it. */
class PromptTimelineFxTest extends StudioFxHarness {
    @Test
    void draggingASpansEndEditsThePromptAndUndoRestoresIt() throws Exception {
        StudioApp app = start(new FakeRunFactory(0), new ScriptedDialogs(), 0, null);
        StudioViewModel vm = app.viewModel();
        robot.interact(() -> {
            vm.prompts().setPrompts(PromptParser.parse("a forest:0-40~5 | ashes:40-"));
            vm.settings().stepsProperty().set(100);
        });
        PromptTimeline tl = robot.lookup("#promptTimeline").queryAs(PromptTimeline.class);
        StudioAppFxTest.waitUntil(() -> tl.shownRows().size() == 2, 5);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(StudioAppFxTest.fx(tl::getHeight)).as("the timeline's height").isGreaterThanOrEqualTo(
                PromptTimeline.TOP + 2 * PromptTimeline.ROW_H);
        double perStep = StudioAppFxTest.fx(() -> tl.model().trackWidthProperty().get() / tl.model().horizon());
        assertThat(perStep).as("pixels per step").isGreaterThan(1.0);
        // grab the first bar's end (step 40) and drag it to step 70
        Point2D end = at(tl, 0, 40);
        robot.moveTo(end).press(MouseButton.PRIMARY);
        robot.moveTo(at(tl, 0, 55));
        robot.moveTo(at(tl, 0, 70));
        robot.release(MouseButton.PRIMARY);
        StudioAppFxTest.waitUntil(() -> vm.prompts().rows().get(0).spanProperty().get().until() != 40, 5);
        PromptSpan dragged = StudioAppFxTest.fx(() -> vm.prompts().rows().get(0).spanProperty().get());
        assertThat(dragged.from()).isZero();
        assertThat(dragged.until()).isBetween(69, 71); // a pixel's rounding either way
        assertThat(dragged.ramp()).isEqualTo(5);
        assertThat(StudioAppFxTest.fx(() -> vm.prompts().prompts().get(0).span())).isEqualTo(dragged);
        assertThat(StudioAppFxTest.fx(() -> vm.prompts().rows().get(1).spanProperty().get()))
                .isEqualTo(new PromptSpan(40, PromptSpan.OPEN, 0));
        // the row's span field shows the dragged span
        assertThat(robot.lookup("#promptSpan0").queryAs(TextField.class).getText()).isEqualTo(dragged.toSpec());
        // Ctrl+Z puts it back
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        StudioAppFxTest.waitUntil(() -> vm.prompts().rows().get(0).spanProperty().get()
                .equals(new PromptSpan(0, 40, 5)), 5);
        assertThat(robot.lookup("#promptSpan0").queryAs(TextField.class).getText()).isEqualTo("0-40~5");
    }

    @Test
    void typingASpanInTheRowEditsItAndBadTextIsNamed() throws Exception {
        StudioApp app = start(new FakeRunFactory(0), new ScriptedDialogs(), 0, null);
        StudioViewModel vm = app.viewModel();
        robot.interact(() -> vm.prompts().setPrompts(PromptParser.parse("a forest | ashes:40-")));
        TextField f = robot.lookup("#promptSpan1").queryAs(TextField.class);
        assertThat(f.getText()).isEqualTo("40-");
        robot.clickOn(f).press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write("10-30~2")
                .type(KeyCode.ENTER);
        StudioAppFxTest.waitUntil(() -> vm.prompts().rows().get(1).spanProperty().get()
                .equals(new PromptSpan(10, 30, 2)), 5);
        assertThat(StudioAppFxTest.fx(() -> vm.edits().undoNameProperty().get())).contains("prompt span");
        robot.press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write("30-10").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(StudioAppFxTest.fx(() -> vm.prompts().rows().get(1).spanProperty().get()))
                .isEqualTo(new PromptSpan(10, 30, 2));
        assertThat(StudioAppFxTest.fx(() -> f.getTooltip().getText())).contains("must end after it starts");
    }

    /** @return the screen point of step {@code step} on shown row {@code row} of the timeline */
    static Point2D at(PromptTimeline tl, int row, int step) throws Exception {
        return StudioAppFxTest.fx(() -> tl.localToScreen(PromptTimeline.LABEL_W + tl.model().xOf(step),
                PromptTimeline.TOP + (row + 0.5) * PromptTimeline.ROW_H));
    }
}
