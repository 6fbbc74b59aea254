package dev.vqclip.app;

import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vqclip.app.StudioAppFxTest.fx;
import static dev.vqclip.app.StudioAppFxTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl+Q in the middle of a slow step, then Discard (issue 22, item 1): the window closes at once, the recovery copy
 * is deleted at once and nothing writes it again, the step in progress is finished (never interrupted), no further
 * step starts, and only then are the run and the models freed, on the engine thread.
 */
class QuittingFxTest extends StudioFxHarness {
    StudioApp launch(FakeRunFactory engine, ScriptedDialogs dialogs, Path recovery) throws Exception {
        return start(engine, dialogs, 0, recovery);
    }

    @Test
    void ctrlQMidStepThenDiscardClosesAtOnceDeletesTheRecoveryCopyAndStopsAtTheStepBoundary() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(5);
        ScriptedDialogs dialogs = new ScriptedDialogs();
        Path recovery = tmp.resolve("home").resolve("recovery.vqsession");
        StudioApp app = launch(engine, dialogs, recovery);
        StudioViewModel vm = app.viewModel();
        robot.clickOn("#promptText0").write("a lighthouse");
        robot.interact(vm::start);
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 3, 20);
        robot.interact(() -> vm.files().autosave(recovery)); // what the autosave timer does
        waitUntil(() -> Files.isRegularFile(recovery), 10);

        // a step that stays in progress until the test lets it end (a slow native step)
        java.util.concurrent.CountDownLatch slowStep = new java.util.concurrent.CountDownLatch(1);
        engine.holdSteps = slowStep;
        waitUntil(() -> engine.held, 10);
        // an autosave queued behind the step in progress, as the timer could fire just before Ctrl+Q
        robot.interact(() -> vm.files().autosave(recovery));
        int atQuit = engine.events.size();
        String inProgress = engine.events.get(atQuit - 1);
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.Q).release(KeyCode.CONTROL);

        assertThat(dialogs.asked).as("the unsaved-work question was asked").isEqualTo(1);
        assertThat(fx(app::windowShowing)).as("the window closes at once").isFalse();
        assertThat(recovery).as("the recovery copy is deleted at once").doesNotExist();
        assertThat(engine.inStep).as("the step is still in progress").isTrue();
        assertThat(app.awaitEngine(300)).as("the engine waits for the step, which is not interrupted").isFalse();
        assertThat(engine.closed).isFalse();

        slowStep.countDown(); // the native step returns
        assertThat(app.awaitEngine(10_000)).as("the engine thread ends after the step in progress").isTrue();
        assertThat(inProgress).startsWith("begin ");
        String n = inProgress.substring("begin ".length());
        assertThat(engine.events.subList(atQuit, engine.events.size()))
                .as("the step in progress ends, no other step begins, then the run and the models are freed")
                .containsExactly("end " + n, "close run", "close factory");
        assertThat(engine.closedDuringStep).isFalse();
        assertThat(engine.openRuns).isZero();
        assertThat(recovery).as("the late autosave did not bring the copy back").doesNotExist();
    }

    @Test
    void closingWithNothingUnsavedAsksNothingAndAlsoRemovesALeftOverCopy() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(5);
        ScriptedDialogs dialogs = new ScriptedDialogs();
        Path recovery = tmp.resolve("recovery.vqsession");
        StudioApp app = launch(engine, dialogs, recovery);
        Files.writeString(recovery, "left by an autosave");
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.Q).release(KeyCode.CONTROL);
        assertThat(dialogs.asked).isZero();
        assertThat(fx(app::windowShowing)).isFalse();
        assertThat(app.awaitEngine(10_000)).isTrue();
        assertThat(engine.closed).isTrue();
        assertThat(recovery).doesNotExist();
    }

    @Test
    void answeringNoKeepsTheWindowTheRunAndTheRecoveryCopy() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(20);
        ScriptedDialogs dialogs = new ScriptedDialogs();
        dialogs.discard = false;
        Path recovery = tmp.resolve("recovery.vqsession");
        StudioApp app = launch(engine, dialogs, recovery);
        StudioViewModel vm = app.viewModel();
        robot.clickOn("#promptText0").write("a lighthouse");
        robot.interact(vm::start);
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 2, 20);
        robot.interact(() -> vm.files().autosave(recovery));
        waitUntil(() -> Files.isRegularFile(recovery), 10);
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.Q).release(KeyCode.CONTROL);
        assertThat(dialogs.asked).isEqualTo(1);
        assertThat(fx(app::windowShowing)).isTrue();
        int step = fx(() -> vm.run().progress().stepProperty().get());
        waitUntil(() -> vm.run().progress().stepProperty().get() > step + 2, 20);
        assertThat(recovery).exists();
        assertThat(app.engineFinished()).isFalse();
    }
}
