package dev.vqclip.app;

import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.settings.Settings;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.models.DemoModels;
import dev.vqclip.session.HistoryEntry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StudioViewModelTest extends StudioViewModelTestBase {
    void typeAndConfigure(String prompt) {
        configure(vm, prompt, 100, 5);
        vm.settings().seedProperty().set(1234);
    }

    @Test
    void loadingTheEngineReportsItsDescriptionAndDemoFlag() {
        vm.run().loadEngine();
        assertThat(vm.run().getState()).isEqualTo(RunState.LOADING);
        ex.runEngine(10);
        assertThat(vm.run().getState()).isEqualTo(RunState.IDLE);
        assertThat(vm.run().engine().engineDescriptionProperty().get()).isEqualTo("fake engine (tests)");
        assertThat(vm.run().engine().demoProperty().get()).isTrue();
    }

    @Test
    void onTheDemoModelsAnUntouchedEditorTakesTheirSizeWithoutBecomingAnEdit() {
        int general = Settings.defaults().width();
        assertThat(vm.settings().widthProperty().get()).isEqualTo(general);
        boolean dirtyBefore = vm.files().dirtyProperty().get();
        vm.run().loadEngine();
        ex.runEngine(10);
        assertThat(vm.settings().widthProperty().get()).isEqualTo(DemoModels.DEFAULT_SIZE);
        assertThat(vm.settings().heightProperty().get()).isEqualTo(DemoModels.DEFAULT_SIZE);
        assertThat(vm.files().dirtyProperty().get()).isEqualTo(dirtyBefore);
        vm.settings().widthProperty().set(128);
        vm.files().newSession();
        assertThat(vm.settings().widthProperty().get()).isEqualTo(DemoModels.DEFAULT_SIZE);
    }

    @Test
    void aSizeTheUserTypedOrPublishedModelsKeepTheSize() {
        vm.settings().widthProperty().set(96);
        vm.run().loadEngine();
        ex.runEngine(10);
        assertThat(vm.settings().widthProperty().get()).isEqualTo(96);
        assertThat(vm.settings().heightProperty().get()).isEqualTo(Settings.defaults().height());

        FakeRunFactory published = new FakeRunFactory(0);
        published.demo = false;
        StudioViewModel v = newVm(published);
        v.run().loadEngine();
        ex.runEngine(10);
        assertThat(v.run().engine().demoProperty().get()).isFalse();
        assertThat(v.settings().widthProperty().get()).isEqualTo(Settings.defaults().width());
    }

    @Test
    void startStepPauseBranchSaveLoadShowsTheSameFrame() throws Exception {
        typeAndConfigure("a lighthouse at dawn");
        vm.start();
        assertThat(vm.run().getState()).isEqualTo(RunState.RUNNING);
        ex.runEngineUntil(() -> step() >= 12, 100);
        Frame running = vm.canvas().getFrame();
        assertThat(running).isNotNull();
        assertThat(vm.canvas().latentGridProperty().get()).isEqualTo(new LatentGrid(6, 8, 8));
        vm.run().pause();
        ex.runEngineUntil(() -> vm.run().getState() == RunState.PAUSED, 5);
        int pausedAt = step();
        assertThat(vm.history().entries()).extracting(HistoryEntry::label)
                .containsExactly("start", "step 5", "step 10", "paused at " + pausedAt);
        assertThat(vm.history().entries()).allMatch(e -> e.branchId().equals("b1"));
        assertThat(vm.run().chart().series()).hasSize(1);
        assertThat(vm.run().chart().series().get(0).getData()).hasSize(pausedAt);

        // look at an older snapshot, then branch from it
        HistoryEntry five = vm.history().entries().get(1);
        vm.history().selectedProperty().set(five);
        assertThat(vm.canvas().getFrame().argb()).isEqualTo(five.frame().argb());
        vm.continueFromSelected();
        ex.runEngine(10);
        assertThat(vm.run().getState()).isEqualTo(RunState.PAUSED);
        assertThat(step()).isEqualTo(5);
        vm.run().resume();
        ex.runEngineUntil(() -> step() >= 10, 50);
        vm.run().pause();
        ex.runEngineUntil(() -> vm.run().getState() == RunState.PAUSED, 5);
        List<HistoryEntry> b2 = vm.history().entries().stream().filter(e -> e.branchId().equals("b2")).toList();
        assertThat(b2).isNotEmpty();
        assertThat(b2.get(0).parentId()).isEqualTo(five.id());
        assertThat(vm.history().entries()).hasSizeGreaterThan(4); // the first branch is kept
        // same seed, same prompts, same snapshot: the branch reproduces the first run's step 10
        HistoryEntry tenAgain = b2.stream().filter(e -> e.step() == 10).findFirst().orElseThrow();
        assertThat(tenAgain.frame().argb()).isEqualTo(vm.history().entries().get(2).frame().argb());

        Frame shown = vm.canvas().getFrame();
        Path file = tmp.resolve("s.vqsession");
        dialogs.files.add(file);
        vm.files().saveAs();
        ex.runEngine(5);
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("saved s.vqsession");
        assertThat(vm.files().dirtyProperty().get()).isFalse();
        assertThat(Files.size(file)).isPositive();

        // a fresh studio opens it and shows the same pixels
        FakeRunFactory engine2 = new FakeRunFactory(0);
        StudioViewModel vm2 = newVm(engine2);
        vm2.files().openFile(file);
        ex.runEngine(5);
        assertThat(vm2.studio().noticeProperty().get()).isEqualTo("opened s.vqsession");
        assertThat(vm2.canvas().getFrame().argb()).isEqualTo(shown.argb());
        assertThat(vm2.history().entries()).hasSameSizeAs(vm.history().entries());
        assertThat(vm2.prompts().prompts()).isEqualTo(vm.prompts().prompts());
        assertThat(vm2.run().getState()).isEqualTo(RunState.PAUSED);
        assertThat(vm2.files().sessionFileProperty().get()).isEqualTo(file);

        // both continue identically for 3 steps
        vm.run().resume();
        vm2.run().resume();
        ex.runEngineUntil(() -> step() >= 13 && vm2.run().progress().stepProperty().get() >= 13, 100);
        vm.run().pause();
        vm2.run().pause();
        ex.runEngineUntil(() -> vm.run().getState() == RunState.PAUSED && vm2.run().getState() == RunState.PAUSED, 10);
        assertThat(vm2.run().progress().stepProperty().get()).isEqualTo(vm.run().progress().stepProperty().get());
        assertThat(vm2.canvas().getFrame().argb()).isEqualTo(vm.canvas().getFrame().argb());
    }

    @Test
    void promptEditsReachTheRunAtTheNextStep() {
        typeAndConfigure("red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        vm.prompts().rows().get(0).textProperty().set("blue");
        vm.prompts().addRow().textProperty().set("green");
        ex.runEngineUntil(() -> step() >= 5, 20);
        assertThat(engine.promptLog).containsSubsequence("3:[red]", "4:[blue, green]", "5:[blue, green]");
        // the chart has one series per branch, not per prompt: edits do not add series
        assertThat(vm.run().chart().series()).extracting(s -> s.getName()).containsExactly("b1");
    }

    @Test
    void engineFailureBecomesFailedStateWithMessage() {
        typeAndConfigure("red");
        engine.failAtStep(4);
        vm.start();
        ex.runEngineUntil(() -> vm.run().getState() == RunState.FAILED, 20);
        assertThat(vm.run().errorProperty().get()).contains("simulated engine failure at step 4");
        assertThat(dialogs.asked).isZero();
        vm.run().resume();
        assertThat(vm.run().getState()).isEqualTo(RunState.RUNNING);
        ex.runEngineUntil(() -> step() >= 6, 20);
    }

    @Test
    void aNonFiniteStepPausesAtTheLastGoodStepSaysWhyAndSavingKeepsTheFiniteState() throws Exception {
        typeAndConfigure("red");
        engine.nonFiniteAtStep(9);
        startUntilPausedAt(8);
        assertThat(vm.run().messageProperty().get())
                .startsWith("paused at step 8: step 9 gave a loss that is not a number (NaN) and was not kept");
        assertThat(vm.run().warningProperty().get()).startsWith("step 9: the loss is NaN")
                .contains("stopped at step 8");
        assertThat(vm.run().errorProperty().get()).isNull();
        assertThat(vm.run().chart().series().get(0).getData()).extracting(d -> d.getXValue().intValue())
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(vm.run().chart().series().get(0).getData())
                .allMatch(d -> Double.isFinite(d.getYValue().doubleValue()));
        HistoryEntry last = vm.history().entries().get(vm.history().entries().size() - 1);
        assertThat(last.label()).isEqualTo("paused at 8 (step 9 not finite)");
        assertThat(vm.canvas().getFrame().argb()).isEqualTo(last.frame().argb());

        Path file = tmp.resolve("nan.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(5);
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("saved nan.vqsession");
        dev.vqclip.engine.run.RunSnapshot saved = dev.vqclip.session.SessionStore.load(file).data().current();
        assertThat(saved.step()).isEqualTo(8);
        for (float[] a : List.of(saved.z(), saved.adamM(), saved.adamV())) {
            for (float x : a) {
                assertThat(Float.isFinite(x)).isTrue();
            }
        }
        assertThat(saved.z()).containsExactly(last.snapshot().z());

        // the user may go on (here the fault was transient): the warning goes, steps continue from 8
        vm.run().resume();
        assertThat(vm.run().warningProperty().get()).isNull();
        ex.runEngineUntil(() -> step() >= 10, 20);
        assertThat(engine.promptLog).contains("9:[red]", "10:[red]");
    }

    @Test
    void aStepOutOfMemoryPausesAtTheLastStepAndSaysWhatToLower() {
        typeAndConfigure("red");
        engine.outOfMemoryAtStep(5);
        startUntilPausedAt(4);
        assertThat(vm.run().messageProperty().get()).isEqualTo("paused at step 4: step 5 ran out of memory and was "
                + "not kept; lower the size to 128x128 (at 32 cutouts) or the cutouts to 8 (at 256x256)");
        assertThat(vm.run().warningProperty().get()).startsWith("step 5 ran out of memory on the CPU")
                .contains("DefaultCPUAllocator").contains("paused at step 4 with its state intact");
        assertThat(vm.run().errorProperty().get()).isNull();
        HistoryEntry last = vm.history().entries().get(vm.history().entries().size() - 1);
        assertThat(last.label()).isEqualTo("paused at 4 (step 5 out of memory)");
        assertThat(last.snapshot().step()).isEqualTo(4);

        vm.run().resume();
        ex.runEngineUntil(() -> step() >= 6, 20);
        assertThat(engine.promptLog).contains("5:[red]", "6:[red]");
    }

    @Test
    void missingEngineSaysSoAndDoesNotPretend() {
        StudioViewModel v = new StudioViewModel(ex, EngineProvider.unavailable(), dialogs);
        v.run().loadEngine();
        ex.runEngine(5);
        assertThat(v.run().getState()).isEqualTo(RunState.FAILED);
        assertThat(v.run().errorProperty().get()).startsWith("engine not available yet");
        v.prompts().rows().get(0).textProperty().set("red");
        v.start();
        ex.runEngine(5);
        assertThat(v.run().getState()).isEqualTo(RunState.FAILED);
        assertThat(v.canvas().getFrame()).isNull();
    }

    @Test
    void startWithoutPromptFailsWithMessage() {
        vm.start();
        assertThat(vm.run().getState()).isEqualTo(RunState.FAILED);
        assertThat(vm.run().errorProperty().get()).isEqualTo("type a prompt first");
    }

    @Test
    void stepsAreCoalescedIntoOneUiDrainWithTheNewestFrame() {
        typeAndConfigure("red");
        ex.queueUi = true;
        vm.start();
        ex.runEngineUntil(() -> engine.promptLog.size() >= 10, 20);
        int queued = ex.ui.size();
        ex.runUi();
        assertThat(step()).isEqualTo(10);
        // loading + loaded + started + history captures (start, 5, 10) + ONE drain for all ten steps
        assertThat(queued).isEqualTo(2 + 1 + 3 + 1);
        vm.run().pause();
        ex.queueUi = false;
        ex.runEngineUntil(() -> vm.run().getState() == RunState.PAUSED, 5);
        assertThat(vm.run().chart().series().get(0).getData()).hasSize(10);
    }

    @Test
    void allEngineCallsHappenOnTheEngineJobs() {
        typeAndConfigure("red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        assertThat(engine.stepThreads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void undoAndRedoPromptAndSettingsEdits() {
        vm.prompts().rows().get(0).textProperty().set("r");
        vm.prompts().rows().get(0).textProperty().set("re");
        vm.prompts().rows().get(0).textProperty().set("red");
        vm.settings().stepsProperty().set(77);
        vm.prompts().rows().get(0).weightProperty().set(-1);
        vm.edits().undo();
        assertThat(vm.prompts().rows().get(0).weightProperty().get()).isEqualTo(1.0);
        vm.edits().undo();
        assertThat(vm.settings().stepsProperty().get()).isEqualTo(400);
        vm.edits().undo(); // typing "red" was one step
        assertThat(vm.prompts().rows().get(0).textProperty().get()).isEmpty();
        assertThat(vm.edits().canUndoProperty().get()).isFalse();
        vm.edits().redo();
        vm.edits().redo();
        assertThat(vm.prompts().rows().get(0).textProperty().get()).isEqualTo("red");
        assertThat(vm.settings().stepsProperty().get()).isEqualTo(77);
    }

    @Test
    void failedOpenKeepsTheOpenSession() throws Exception {
        typeAndConfigure("red");
        Path bad = tmp.resolve("bad.vqsession");
        Files.writeString(bad, "garbage");
        vm.files().openFile(bad);
        ex.runEngine(5);
        assertThat(vm.studio().noticeProperty().get()).startsWith("could not open bad.vqsession").contains("not a zip");
        assertThat(vm.prompts().prompts()).extracting(p -> p.text()).containsExactly("red");
    }

    @Test
    void exportWritesPngWithPromptMetadataAndGifOfTheBranch() throws Exception {
        typeAndConfigure("red apple");
        vm.start();
        ex.runEngineUntil(() -> step() >= 10, 50);
        vm.run().pause();
        ex.runEngineUntil(() -> vm.run().getState() == RunState.PAUSED, 5);
        Path png = tmp.resolve("f.png");
        vm.export().exportFrameTo(png);
        Path gif = tmp.resolve("h.gif");
        vm.export().exportGifTo(gif);
        Path dir = tmp.resolve("frames");
        vm.export().exportFramesTo(dir);
        ex.runEngine(10);
        Map<String, String> text = Png.readText(Files.readAllBytes(png));
        assertThat(text).containsEntry("vqclip.prompts", "red apple:1").containsKey("vqclip.request");
        assertThat(text.get("vqclip.request")).contains("\"seed\":1234");
        assertThat(Images.decode(Files.readAllBytes(png), "png").argb()).isEqualTo(vm.canvas().getFrame().argb());
        assertThat(Files.size(gif)).isPositive();
        try (var s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(vm.history().entries().size());
        }
    }

    @Test
    void stopEndsTheRunAndFreesIt() {
        typeAndConfigure("red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        vm.run().stop();
        ex.runEngine(5);
        assertThat(vm.run().getState()).isEqualTo(RunState.IDLE);
        assertThat(engine.openRuns).isZero();
        assertThat(vm.history().entries().get(vm.history().entries().size() - 1).label()).startsWith("stopped at");
    }

    @Test
    void finishingAtTheLastStepPausesWithASnapshot() {
        typeAndConfigure("red");
        vm.settings().stepsProperty().set(7);
        vm.start();
        ex.runEngine(100);
        assertThat(vm.run().getState()).isEqualTo(RunState.PAUSED);
        assertThat(step()).isEqualTo(7);
        assertThat(vm.run().progress().progressProperty().get()).isEqualTo(1.0);
        assertThat(vm.history().entries().get(vm.history().entries().size() - 1).label()).isEqualTo("finished at 7");
    }

    @Test
    void autosaveWritesARecoveryCopyOnlyWhenThereAreChanges() throws Exception {
        Path recovery = tmp.resolve("home/recovery.vqsession");
        vm.files().autosave(recovery);
        ex.runEngine(5);
        assertThat(recovery).doesNotExist();
        typeAndConfigure("red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        vm.files().autosave(recovery);
        ex.runEngineUntil(() -> Files.exists(recovery), 5);
        assertThat(vm.studio().noticeProperty().get()).startsWith("autosaved");
        assertThat(vm.files().dirtyProperty().get()).isTrue(); // a recovery copy is not a save
        assertThat(dev.vqclip.session.SessionStore.load(recovery).data().current().step()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void newSessionClearsEverythingAfterConfirmation() {
        typeAndConfigure("red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 2, 20);
        dialogs.discard = false;
        vm.files().newSession();
        assertThat(vm.prompts().prompts()).isNotEmpty();
        dialogs.discard = true;
        vm.files().newSession();
        ex.runEngine(10);
        assertThat(vm.prompts().prompts()).isEmpty();
        assertThat(vm.history().entries()).isEmpty();
        assertThat(vm.canvas().getFrame()).isNull();
        assertThat(vm.run().getState()).isEqualTo(RunState.IDLE);
        assertThat(engine.openRuns).isZero();
    }

    @Test
    void closingTheSessionFreesTheRunAndTheEngine() {
        typeAndConfigure("red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 2, 20);
        assertThat(engine.openRuns).isEqualTo(1);
        vm.close();
        ex.runEngine(10);
        assertThat(engine.openRuns).isZero();
        assertThat(engine.closed).isTrue();
        assertThat(ex.shutdown).isTrue();
    }

    /** Starts the run, which refuses a step and pauses by itself at {@code lastGood}. */
    private void startUntilPausedAt(int lastGood) {
        vm.start();
        ex.runEngineUntil(() -> vm.run().getState() != RunState.RUNNING, 40);

        assertThat(vm.run().getState()).isEqualTo(RunState.PAUSED);
        assertThat(step()).isEqualTo(lastGood);
    }
}
