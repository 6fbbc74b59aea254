package dev.vqclip.app;

import dev.vqclip.app.run.RunState;
import dev.vqclip.session.HistoryEntry;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole studio, headless (Monocle), with the fake engine: what a person does, end to end. */
class StudioAppFxTest extends StudioFxHarness {
    StudioApp launch(dev.vqclip.engine.run.RunFactory engine, ScriptedDialogs dialogs, long frameIntervalMs)
            throws Exception {
        return start(engine, dialogs, frameIntervalMs, null);
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    static void waitUntil(Callable<Boolean> c, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> fx(c));
    }

    int[] shownPixels() throws Exception {
        return fx(() -> {
            ImageView v = robot.lookup("#canvasImage").queryAs(ImageView.class);
            Image img = v.getImage();
            int w = (int) img.getWidth();
            int h = (int) img.getHeight();
            int[] px = new int[w * h];
            img.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), px, 0, w);
            return px;
        });
    }

    @Test
    void typeRunPauseViewBranchSaveReopenShowsTheSameFrame() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(5);
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioApp app = launch(engine, dialogs, 0);
        StudioViewModel vm = app.viewModel();
        assertThat(robot.lookup("#demoBadge").queryAs(Label.class).isVisible()).isTrue();

        robot.clickOn("#promptText0").write("a lighthouse");
        robot.interact(() -> {
            vm.settings().widthProperty().set(64);
            vm.settings().heightProperty().set(64);
            vm.settings().historyEveryProperty().set(5);
        });
        assertThat(fx(() -> vm.prompts().prompts().get(0).text())).isEqualTo("a lighthouse");

        robot.clickOn("#start");
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 12, 20);
        robot.clickOn("#pause");
        waitUntil(() -> vm.run().getState() == RunState.PAUSED, 10);
        assertThat(robot.lookup("#runState").queryAs(Label.class).getText()).isEqualTo("PAUSED");

        // click a history snapshot: the canvas shows it
        HistoryEntry second = fx(() -> vm.history().entries().get(1));
        robot.interact(() -> robot.lookup("#history").queryListView().scrollTo(second));
        robot.clickOn(robot.lookup(".list-cell").match(n -> n.isVisible()
                && ((javafx.scene.control.ListCell<?>) n).getItem() == second).queryAs(Node.class));
        waitUntil(() -> vm.history().selectedProperty().get() == second, 5);
        assertThat(shownPixels()).isEqualTo(second.frame().argb());

        // branch from it, run a little with Space, pause with Space
        robot.clickOn("#continueFromHere");
        waitUntil(() -> vm.history().getBranch().equals("b2") && vm.run().getState() == RunState.PAUSED
                && vm.run().progress().stepProperty().get() == second.step(), 10);
        // mask a corner while paused: the next history entry records it
        robot.interact(() -> {
            vm.paint().toolProperty().set(dev.vqclip.app.paint.PaintViewModel.Tool.MASK);
            vm.paint().press(4, 4);
            vm.paint().drag(20, 12);
            vm.paint().release(20, 12);
        });
        dev.vqclip.session.PixelMask masked = fx(() -> vm.paint().layers().mask());
        assertThat(masked).isNotNull();
        robot.type(KeyCode.SPACE);
        waitUntil(() -> vm.run().progress().stepProperty().get() >= second.step() + 6, 20);
        robot.type(KeyCode.SPACE);
        waitUntil(() -> vm.run().getState() == RunState.PAUSED, 10);
        assertThat(fx(() -> vm.history().entries().stream().anyMatch(e -> e.branchId().equals("b1")))).isTrue();
        assertThat(fx(() -> vm.history().entries().stream().filter(e -> e.branchId().equals("b2")).findFirst()
                .orElseThrow().parentId())).isEqualTo(second.id());

        // Ctrl+S saves (the dialog answers with a path)
        Path file = tmp.resolve("fx.vqsession");
        dialogs.files.add(file);
        robot.press(KeyCode.CONTROL).type(KeyCode.S).release(KeyCode.CONTROL);
        waitUntil(() -> vm.studio().noticeProperty().get().equals("saved fx.vqsession"), 10);
        assertThat(Files.isRegularFile(file)).isTrue();
        int[] before = shownPixels();
        int historySize = fx(() -> vm.history().entries().size());
        HistoryEntry maskedEntry = fx(() -> vm.history().entries().get(historySize - 1));
        assertThat(maskedEntry.layers().mask()).isSameAs(masked);
        FxToolkit.cleanupApplication(app);
        apps.remove(app);
        FxToolkit.cleanupStages();

        // reopen in a fresh studio with Ctrl+O
        ScriptedDialogs dialogs2 = new ScriptedDialogs();
        dialogs2.files.add(file);
        StudioApp app2 = launch(new FakeRunFactory(5), dialogs2, 0);
        StudioViewModel vm2 = app2.viewModel();
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.O).release(KeyCode.CONTROL);
        waitUntil(() -> vm2.studio().noticeProperty().get().equals("opened fx.vqsession"), 10);
        assertThat(shownPixels()).isEqualTo(before);
        assertThat(fx(() -> vm2.history().entries().size())).isEqualTo(historySize);
        assertThat(fx(() -> vm2.run().getState())).isEqualTo(RunState.PAUSED);
        assertThat(robot.lookup("#promptText0").queryAs(javafx.scene.control.TextInputControl.class).getText())
                .isEqualTo("a lighthouse");

        // the reopened entry still has its pixel mask: going back to it puts the mask on the canvas again
        HistoryEntry reopened = fx(() -> vm2.history().entries().get(historySize - 1));
        assertThat(reopened.id()).isEqualTo(maskedEntry.id());
        robot.interact(() -> vm2.paint().clearMask());
        robot.interact(() -> robot.lookup("#history").queryListView().scrollTo(reopened));
        robot.clickOn(robot.lookup(".list-cell").match(n -> n.isVisible()
                && ((javafx.scene.control.ListCell<?>) n).getItem() == reopened).queryAs(Node.class));
        waitUntil(() -> vm2.history().selectedProperty().get() == reopened, 5);
        robot.clickOn("#continueFromHere");
        waitUntil(() -> vm2.canvas().maskLayerProperty().get() != null, 10);
        assertThat(fx(() -> vm2.canvas().maskLayerProperty().get().values())).isEqualTo(masked.values());
    }

    @Test
    void aLongJobShowsItsTimeLeftAndCancelInTheStatusBar() throws Exception {
        StudioApp app = launch(new FakeRunFactory(0), new ScriptedDialogs(), 0);
        dev.vqclip.app.core.LongJob job = app.viewModel().studio().job();
        assertThat(fx(() -> robot.lookup("#jobCancel").query().isVisible())).isFalse();
        assertThat(fx(() -> robot.lookup("#menuBar").queryAs(
                javafx.scene.control.MenuBar.class).getMenus().get(0).getItems().stream()
                .anyMatch(i -> "menuExportTimeLapse".equals(i.getId())))).isTrue();
        robot.interact(() -> {
            job.start("Exporting time-lapse t.mp4", 40, "frames");
            job.progress(10);
        });
        assertThat(fx(() -> robot.lookup("#jobStatus").queryAs(Label.class).getText()))
                .startsWith("Exporting time-lapse t.mp4: 10 of 40 frames (25%), ").endsWith(" left");
        assertThat(fx(() -> robot.lookup("#statusBar").queryAs(org.controlsfx.control.StatusBar.class)
                .getProgress())).isEqualTo(0.25);
        robot.clickOn("#jobCancel");
        waitUntil(job::isCancelled, 5);
        assertThat(fx(() -> robot.lookup("#jobStatus").queryAs(Label.class).getText()))
                .isEqualTo("Exporting time-lapse t.mp4: cancelling…");
        robot.interact(job::finish);
        assertThat(fx(() -> robot.lookup("#jobCancel").query().isVisible())).isFalse();
    }

    @Test
    void negativeWeightRowLooksDifferent() throws Exception {
        StudioApp app = launch(new FakeRunFactory(0), new ScriptedDialogs(), 0);
        robot.clickOn("#addPrompt");
        robot.interact(() -> app.viewModel().prompts().rows().get(1).weightProperty().set(-1));
        Node row = robot.lookup("#promptText1").query().getParent();
        assertThat(row.getPseudoClassStates()).extracting(Object::toString).contains("negative");
        Node first = robot.lookup("#promptText0").query().getParent();
        assertThat(first.getPseudoClassStates()).extracting(Object::toString).doesNotContain("negative");
        assertThat(robot.lookup("#promptWeightLabel1").queryAs(Label.class).getText()).isEqualTo("-1.00");
    }

    @Test
    void shortcutsUndoSettingsEditsAndToggleTheTheme() throws Exception {
        StudioApp app = launch(new FakeRunFactory(0), new ScriptedDialogs(), 0);
        StudioViewModel vm = app.viewModel();
        robot.interact(() -> vm.settings().stepsProperty().set(123));
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        waitUntil(() -> vm.settings().stepsProperty().get() == 400, 5);
        robot.press(KeyCode.CONTROL).type(KeyCode.Y).release(KeyCode.CONTROL);
        waitUntil(() -> vm.settings().stepsProperty().get() == 123, 5);
        robot.press(KeyCode.CONTROL).type(KeyCode.T).release(KeyCode.CONTROL);
        waitUntil(() -> javafx.application.Application.getUserAgentStylesheet().endsWith("primer-dark.css"), 5);
        robot.press(KeyCode.CONTROL).type(KeyCode.T).release(KeyCode.CONTROL);
        waitUntil(() -> javafx.application.Application.getUserAgentStylesheet().endsWith("primer-light.css"), 5);
    }

    @Test
    void escapeLeavesTheHistoryViewForTheLiveImage() throws Exception {
        StudioApp app = launch(new FakeRunFactory(0), new ScriptedDialogs(), 0);
        StudioViewModel vm = app.viewModel();
        robot.interact(() -> {
            configure(vm, "red", 64, 64, 20, 5);
            vm.start();
        });
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.run().progress().stepProperty().get() == 20, 20);
        HistoryEntry first = fx(() -> vm.history().entries().get(0));
        robot.interact(() -> vm.history().selectedProperty().set(first));
        assertThat(shownPixels()).isEqualTo(first.frame().argb());
        robot.clickOn("#canvasImage").type(KeyCode.ESCAPE);
        waitUntil(() -> vm.history().selectedProperty().get() == null, 5);
        assertThat(shownPixels()).isEqualTo(fx(() -> vm.liveFrame().orElseThrow().argb()));
        assertThat(robot.lookup("#canvasCaption").queryAs(Label.class).getText()).isEqualTo("step 20");
    }

    /**
     * What keeps the FX thread free while generating, asserted exactly (the wall-clock figures, pulse gaps and
     * {@code runLater} waits under a busy engine, are printed by {@code StudioAppFxBenchmark}): no engine call is made
     * on the FX thread, and the engine's results are coalesced. The FX thread starts a 40-step run and is then held
     * until the engine has finished and gone idle; all 40 steps, each with a freshly decoded 256×256 frame, reach it
     * as one batch: the canvas converts 2 frames (the start and the newest), not 41, and the step counter changes
     * once.
     */
    @Test
    void engineCallsStayOffTheFxThreadAndFortyStepsReachItAsOneUpdate() throws Exception {
        CallLog calls = new CallLog();
        StudioApp app = launch(calls.wrap(new FakeRunFactory(0)), new ScriptedDialogs(), 0); // a frame every step
        StudioViewModel vm = app.viewModel();
        int steps = 40;
        List<String> shownOn = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger stepChanges = new java.util.concurrent.atomic.AtomicInteger();
        robot.interact(() -> {
            configure(vm, "busy", 256, 256, steps, 0);
            vm.canvas().frameProperty().addListener((o, a, b) -> shownOn.add(Thread.currentThread().getName()));
            vm.run().progress().stepProperty().addListener((o, a, b) -> stepChanges.incrementAndGet());
        });
        String fxThread = fx(() -> Thread.currentThread().getName());
        java.util.concurrent.CompletableFuture<Boolean> held = new java.util.concurrent.CompletableFuture<>();
        Platform.runLater(() -> {
            vm.start();
            held.complete(calls.awaitEngineIdleAfter(steps, 60)); // everything the engine posts queues behind this
        });
        assertThat(held.get(90, TimeUnit.SECONDS)).as("the engine took %d steps while the FX thread was held", steps)
                .isTrue();
        waitUntil(() -> vm.run().getState() == RunState.PAUSED
                && vm.run().progress().stepProperty().get() == steps, 20);

        assertThat(calls.framedSteps()).as("steps that decoded a frame").isEqualTo(steps);
        assertThat(calls.threadsOf("step")).containsExactly("vqclip-engine");
        assertThat(calls.onThread(fxThread)).as("engine calls made on the FX thread").isEmpty();
        assertThat(shownOn).as("frames the canvas converted (start, newest)").hasSize(2).containsOnly(fxThread);
        assertThat(stepChanges.get()).as("updates of the step counter").isEqualTo(1);
        assertThat(fx(() -> vm.liveFrame().orElseThrow().argb())).as("the newest frame is the one shown")
                .isEqualTo(shownPixels());
    }

    /**
     * Wraps a {@link dev.vqclip.engine.run.RunFactory} and its runs so that every call is logged with the thread that
     * made it.
     */
    static final class CallLog {
        private final List<String[]> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.atomic.AtomicInteger framedSteps =
                new java.util.concurrent.atomic.AtomicInteger();
        private volatile Thread stepper;

        dev.vqclip.engine.run.RunFactory wrap(dev.vqclip.engine.run.RunFactory f) {
            return proxy(dev.vqclip.engine.run.RunFactory.class, f);
        }

        @SuppressWarnings("unchecked")
        private <T> T proxy(Class<T> type, T target) {
            return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (self, m, args) -> {
                        if (m.getDeclaringClass() != Object.class) {
                            calls.add(new String[] {Thread.currentThread().getName(), m.getName()});
                            if (m.getName().equals("step")) {
                                stepper = Thread.currentThread();
                                if (Boolean.TRUE.equals(args[0])) {
                                    framedSteps.incrementAndGet();
                                }
                            }
                        }
                        Object r;
                        try {
                            r = m.invoke(target, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                        return r instanceof dev.vqclip.engine.run.SteppableRun run
                                && m.getReturnType() == dev.vqclip.engine.run.SteppableRun.class
                                ? proxy(dev.vqclip.engine.run.SteppableRun.class, run) : r;
                    });
        }

        int framedSteps() {
            return framedSteps.get();
        }

        List<String> threadsOf(String method) {
            synchronized (calls) {
                return calls.stream().filter(c -> c[1].equals(method)).map(c -> c[0]).distinct().toList();
            }
        }

        List<String> onThread(String thread) {
            synchronized (calls) {
                return calls.stream().filter(c -> c[0].equals(thread)).map(c -> c[1]).toList();
            }
        }

        /** Waits until {@code steps} steps were taken and the stepping thread waits for its next job. */
        boolean awaitEngineIdleAfter(int steps, int seconds) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                Thread t = stepper;
                if (t != null && threadsOf("step").size() == 1 && count("step") >= steps
                        && t.getState() == Thread.State.WAITING && java.util.Arrays.stream(t.getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("getTask"))) {
                    return true;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }

        private long count(String method) {
            synchronized (calls) {
                return calls.stream().filter(c -> c[1].equals(method)).count();
            }
        }
    }

    /** @return a studio generating "a lighthouse" (typed, then Start clicked) that has taken {@code steps} steps */
    StudioApp runningLighthouse(FakeRunFactory engine, int steps) throws Exception {
        StudioApp app = launch(engine, new ScriptedDialogs(), 0);
        robot.clickOn("#promptText0").write("a lighthouse");
        robot.clickOn("#start");
        waitUntil(() -> app.viewModel().run().progress().stepProperty().get() >= steps, 20);
        return app;
    }

    @Test
    void aTerminationSignalSavesTheUnsavedSessionAfterTheStepInProgressAndStopsTheEngine() throws Exception {
        StudioApp app = runningLighthouse(new FakeRunFactory(200), 2); // long steps: the signal lands inside one
        Path recovery = tmp.resolve("recovery.vqsession");

        String what = app.terminatedBySignal(recovery, 20_000);

        assertThat(what).isEqualTo("the unsaved session was saved to " + recovery);
        assertThat(app.engineFinished()).as("the engine thread has finished: no step is left in flight").isTrue();
        dev.vqclip.session.SessionStore.Loaded saved = dev.vqclip.session.SessionStore.load(recovery);
        assertThat(saved.data().promptRows().get(0).text()).isEqualTo("a lighthouse");
        assertThat(saved.data().current().step()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aTerminationSignalWithNothingUnsavedWritesNothingAndStopsTheEngine() throws Exception {
        StudioApp app = launch(new FakeRunFactory(5), new ScriptedDialogs(), 0);
        Path recovery = tmp.resolve("recovery.vqsession");
        assertThat(fx(() -> app.viewModel().files().dirtyProperty().get())).isFalse();

        assertThat(app.terminatedBySignal(recovery, 20_000)).isEqualTo("nothing was unsaved");
        assertThat(app.engineFinished()).isTrue();
        assertThat(recovery).doesNotExist();
    }

    @Test
    void theRecoveryCopyOpensAsAnUntitledSessionWithUnsavedChangesAndIsForgottenOnANormalClose() throws Exception {
        StudioApp first = runningLighthouse(new FakeRunFactory(5), 3);
        Path recovery = tmp.resolve("recovery.vqsession");
        assertThat(first.terminatedBySignal(recovery, 20_000)).startsWith("the unsaved session was saved");
        int savedStep = dev.vqclip.session.SessionStore.load(recovery).data().current().step();

        StudioApp second = launch(new FakeRunFactory(5), new ScriptedDialogs(), 0);
        StudioViewModel vm2 = second.viewModel();
        robot.interact(() -> vm2.files().recover(recovery));
        waitUntil(() -> vm2.studio().noticeProperty().get().startsWith("recovered the session left unsaved on "), 10);
        assertThat(fx(() -> vm2.prompts().prompts().get(0).text())).isEqualTo("a lighthouse");
        assertThat(fx(() -> vm2.files().dirtyProperty().get())).as("closing must ask before discarding it").isTrue();
        assertThat(fx(() -> vm2.files().sessionFileProperty().get())).as("Save must ask where to keep it").isNull();
        assertThat(fx(() -> vm2.run().progress().stepProperty().get())).as("resumes where it stopped")
                .isEqualTo(savedStep);

        robot.interact(() -> vm2.files().forgetRecovery(recovery));
        waitUntil(() -> !Files.exists(recovery), 10);
    }

    @Test
    void aDamagedRecoveryCopyIsReportedAndTheSessionStaysAsItWas() throws Exception {
        StudioApp app = launch(new FakeRunFactory(5), new ScriptedDialogs(), 0);
        StudioViewModel vm = app.viewModel();
        Path recovery = tmp.resolve("recovery.vqsession");
        Files.writeString(recovery, "not a session");
        robot.interact(() -> vm.files().recover(recovery));
        waitUntil(() -> vm.studio().noticeProperty().get().startsWith("could not recover the unsaved session from "
                + recovery), 10);
        assertThat(fx(() -> vm.files().dirtyProperty().get())).isFalse();
        assertThat(recovery).exists();
    }
}
