package dev.vqclip.app;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.run.RunState;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.SessionStore;
import javafx.scene.chart.XYChart;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22 items 4, 5, 8 and 12 in the view-model (no toolkit, the fake engine): the loss chart per branch and its
 * restoring, the grid known at load, the negative prompt and the empty-prompt refusal, Save / Don't Save / Cancel,
 * and the upscaled export.
 */
class NewcomerStudioViewModelTest extends StudioViewModelTestBase {
    void configure(StudioViewModel v, String prompt) {
        configure(v, prompt, 100, 5);
        v.settings().seedProperty().set(1234);
    }

    static List<Integer> xs(XYChart.Series<Number, Number> s) {
        return s.getData().stream().map(d -> d.getXValue().intValue()).toList();
    }

    /** Runs to step 12, branches from step 5 and runs that branch to step 10. */
    void twoBranches() {
        configure(vm, "red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 12, 100);
        pause();
        HistoryEntry five = vm.history().entries().stream().filter(e -> e.step() == 5).findFirst().orElseThrow();
        vm.history().selectedProperty().set(five);
        vm.continueFromSelected();
        ex.runEngine(10);
        vm.run().resume();
        ex.runEngineUntil(() -> step() >= 10, 50);
        pause();
    }

    // ---- item 4: the loss chart ----

    @Test
    void theLossChartDrawsOneSeriesPerBranchEachGoingForwardInSteps() {
        twoBranches();
        List<XYChart.Series<Number, Number>> series = vm.run().chart().series();
        assertThat(series).extracting(XYChart.Series::getName).containsExactly("b1", "b2 from step 5");
        int firstEnd = xs(series.get(0)).get(xs(series.get(0)).size() - 1);
        assertThat(xs(series.get(0))).as("the first branch, no zig-zag back to step 6")
                .isSorted().doesNotHaveDuplicates().startsWith(1, 2, 3).hasSize(firstEnd);
        assertThat(firstEnd).isGreaterThanOrEqualTo(12);
        // the second branch starts at the point it grew from and goes on from there
        assertThat(xs(series.get(1))).startsWith(5, 6, 7).isSorted().doesNotHaveDuplicates();
        assertThat(series.get(1).getData().get(0).getYValue())
                .isEqualTo(series.get(0).getData().get(4).getYValue());
        assertThat(xs(series.get(1)).get(xs(series.get(1)).size() - 1)).isEqualTo(step());
    }

    @Test
    void theLossChartComesBackWhenTheSessionIsReopened() throws Exception {
        twoBranches();
        List<XYChart.Series<Number, Number>> before = vm.run().chart().series();
        Path file = tmp.resolve("chart.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(5);
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("saved chart.vqsession");

        StudioViewModel vm2 = newVm(new FakeRunFactory(0));
        vm2.files().openFile(file);
        ex.runEngine(5);
        List<XYChart.Series<Number, Number>> after = vm2.run().chart().series();
        assertThat(after).extracting(XYChart.Series::getName).containsExactly("b1", "b2 from step 5");
        for (int i = 0; i < 2; i++) {
            assertThat(xs(after.get(i))).isEqualTo(xs(before.get(i)));
            assertThat(after.get(i).getData()).extracting(d -> d.getYValue().doubleValue())
                    .isEqualTo(before.get(i).getData().stream().map(d -> d.getYValue().doubleValue()).toList());
        }
        // resuming the reopened session adds to its current branch's series, not a new one
        int n = after.get(1).getData().size();
        vm2.run().resume();
        ex.runEngineUntil(() -> vm2.run().progress().stepProperty().get() >= 13, 50);
        vm2.run().pause();
        ex.runEngineUntil(() -> vm2.run().getState() == RunState.PAUSED, 10);
        assertThat(after).hasSize(2);
        assertThat(after.get(1).getData().size()).isGreaterThan(n);
        assertThat(xs(after.get(1))).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aNewSessionEmptiesTheChart() {
        configure(vm, "red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        pause();
        dialogs.unsaved = DialogService.Unsaved.DISCARD;
        vm.files().newSession();
        ex.runEngine(10);
        assertThat(vm.run().chart().series()).as("no series (and no legend entry) before the first loss").isEmpty();
        vm.prompts().rows().get(0).textProperty().set("blue");
        vm.stepOnce();
        ex.runEngine(10);
        assertThat(vm.run().chart().series()).extracting(XYChart.Series::getName).containsExactly("b1");
        assertThat(xs(vm.run().chart().series().get(0))).containsExactly(1);
    }

    // ---- item 5: the grid is known at load ----

    @Test
    void theLatentGridAndTheMaskOnItAreThereRightAfterOpeningBeforeAnyStep() throws Exception {
        configure(vm, "red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        pause();
        vm.paint().toolProperty().set(dev.vqclip.app.paint.PaintViewModel.Tool.MASK);
        vm.paint().press(4, 4);
        vm.paint().drag(30, 20);
        vm.paint().release(30, 20);
        var latent = vm.paint().latentMaskProperty().get();
        assertThat(latent).isNotNull();
        Path file = tmp.resolve("mask.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(5);

        FakeRunFactory engine2 = new FakeRunFactory(0);
        StudioViewModel vm2 = newVm(engine2);
        vm2.files().openFile(file);
        ex.runEngine(5);
        assertThat(engine2.openRuns).as("no run was made: the engine took no step").isZero();
        assertThat(vm2.canvas().latentGridProperty().get()).isEqualTo(new LatentGrid(6, 8, 8));
        assertThat(vm2.canvas().maskLayerProperty().get().values()).isEqualTo(vm.canvas().maskLayerProperty().get()
                .values());
        assertThat(vm2.paint().latentMaskProperty().get().values()).isEqualTo(latent.values());
        assertThat(vm2.files().dirtyProperty().get()).as("opening is not an edit").isFalse();
    }

    @Test
    void aSessionWithoutARunHasNoGrid() {
        assertThat(dev.vqclip.session.SessionData.empty().latentGrid()).isNull();
    }

    // ---- item 8: negative prompt, empty prompt ----

    @Test
    void theNegativePromptReachesTheEngineAsNegativeWeightsAndIsSavedAndRestored() throws Exception {
        configure(vm, "a lighthouse");
        vm.prompts().negativeProperty().set("blurry\nwatermark:2\n\n");
        assertThat(vm.prompts().prompts()).containsExactly(new Prompt("a lighthouse", 1.0),
                new Prompt("blurry", -1.0), new Prompt("watermark", -2.0));
        vm.start();
        ex.runEngineUntil(() -> step() >= 5, 20);
        pause();
        HistoryEntry last = vm.history().entries().get(vm.history().entries().size() - 1);
        assertThat(last.snapshot().request().prompts()).extracting(Prompt::weight).containsExactly(1.0, -1.0, -2.0);
        assertThat(engine.promptLog).contains("5:[a lighthouse, blurry, watermark]");

        Path file = tmp.resolve("neg.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(5);
        StudioViewModel vm2 = newVm(new FakeRunFactory(0));
        vm2.files().openFile(file);
        ex.runEngine(5);
        assertThat(vm2.prompts().negativeProperty().get()).isEqualTo("blurry\nwatermark:2\n\n");
        assertThat(vm2.prompts().rows()).hasSize(1);
        assertThat(vm2.prompts().prompts()).isEqualTo(vm.prompts().prompts());

        // continuing from a snapshot puts its negative prompts back in the negative field
        vm2.prompts().negativeProperty().set("");
        vm2.history().selectedProperty().set(vm2.history().entries().get(0));
        vm2.continueFromSelected();
        ex.runEngine(10);
        assertThat(vm2.prompts().negativeProperty().get()).isEqualTo("blurry\nwatermark:2");
        assertThat(vm2.prompts().rows()).extracting(r -> r.textProperty().get()).containsExactly("a lighthouse");
    }

    @Test
    void typingInTheNegativePromptIsOneUndoStep() {
        vm.prompts().negativeProperty().set("b");
        vm.prompts().negativeProperty().set("bl");
        vm.prompts().negativeProperty().set("blurry");
        vm.edits().undo();
        assertThat(vm.prompts().negativeProperty().get()).isEmpty();
        vm.edits().redo();
        assertThat(vm.prompts().negativeProperty().get()).isEqualTo("blurry");
    }

    @Test
    void anEmptyPromptOrANegativePromptAloneIsRefusedBeforeARunStarts() {
        vm.run().loadEngine();
        ex.runEngine(10);
        vm.prompts().negativeProperty().set("blurry");
        assertThat(vm.prompts().hasPositivePromptProperty().get()).isFalse();
        vm.start();
        ex.runEngine(10);
        assertThat(vm.run().getState()).isEqualTo(RunState.FAILED);
        assertThat(vm.run().errorProperty().get()).startsWith("type a prompt first");
        assertThat(engine.openRuns).isZero();
        assertThat(engine.promptLog).isEmpty();

        vm.prompts().rows().get(0).textProperty().set("   ");
        vm.stepOnce();
        ex.runEngine(10);
        assertThat(engine.openRuns).isZero();

        vm.prompts().rows().get(0).textProperty().set("red");
        assertThat(vm.prompts().hasPositivePromptProperty().get()).isTrue();
        vm.prompts().negativeProperty().set("blurry:1e");
        vm.start();
        ex.runEngine(10);
        assertThat(vm.run().errorProperty().get()).isEqualTo("negative prompt \"blurry:1e\": prompt \"blurry:1e\": "
                + "'1e' is not a number");
        assertThat(engine.openRuns).isZero();
    }

    // ---- item 12: Save / Don't Save / Cancel, upscaled export ----

    void unsavedRun() {
        configure(vm, "red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        pause();
        assertThat(vm.files().dirtyProperty().get()).isTrue();
    }

    @Test
    void cancelKeepsEverythingAsItIs() {
        unsavedRun();
        dialogs.unsaved = DialogService.Unsaved.CANCEL;
        vm.files().newSession();
        ex.runEngine(10);
        assertThat(dialogs.unsavedAsked).containsExactly("the current session");
        assertThat(vm.prompts().prompts()).isNotEmpty();
        assertThat(vm.history().entries()).isNotEmpty();
        assertThat(vm.files().dirtyProperty().get()).isTrue();
    }

    @Test
    void saveAsksWhereSavesAndThenGoesOn() throws Exception {
        unsavedRun();
        Path file = tmp.resolve("kept.vqsession");
        dialogs.unsaved = DialogService.Unsaved.SAVE;
        dialogs.files.add(file);
        int entries = vm.history().entries().size();
        vm.files().newSession();
        assertThat(vm.prompts().prompts()).as("nothing is cleared before the save has succeeded").isNotEmpty();
        ex.runEngine(10);
        assertThat(Files.isRegularFile(file)).isTrue();
        assertThat(SessionStore.load(file).data().history()).hasSize(entries);
        assertThat(vm.prompts().prompts()).isEmpty();
        assertThat(vm.history().entries()).isEmpty();
        assertThat(vm.files().dirtyProperty().get()).isFalse();
    }

    @Test
    void saveWhoseFileChooserIsCancelledGoesNoFurther() {
        unsavedRun();
        dialogs.unsaved = DialogService.Unsaved.SAVE; // and no file: the chooser is cancelled
        vm.files().newSession();
        ex.runEngine(10);
        assertThat(vm.prompts().prompts()).isNotEmpty();
        assertThat(vm.files().dirtyProperty().get()).isTrue();
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("not saved, so nothing was closed");
    }

    @Test
    void aFailedSaveGoesNoFurther() throws Exception {
        unsavedRun();
        Path blocker = tmp.resolve("file");
        Files.writeString(blocker, "x");
        dialogs.unsaved = DialogService.Unsaved.SAVE;
        dialogs.files.add(blocker.resolve("under-a-file.vqsession"));
        vm.files().newSession();
        ex.runEngine(10);
        assertThat(vm.studio().noticeProperty().get()).startsWith("could not save");
        assertThat(vm.prompts().prompts()).isNotEmpty();
        assertThat(vm.files().dirtyProperty().get()).isTrue();
    }

    @Test
    void dontSaveGoesOnWithoutWriting() {
        unsavedRun();
        dialogs.unsaved = DialogService.Unsaved.DISCARD;
        int asked = dialogs.asked;
        vm.files().newSession();
        ex.runEngine(10);
        assertThat(dialogs.asked).as("only the question, no file chooser").isEqualTo(asked + 1);
        assertThat(vm.prompts().prompts()).isEmpty();
    }

    @Test
    void opening_withUnsavedWork_savesToTheSessionsOwnFileWithoutAskingWhere() throws Exception {
        unsavedRun();
        Path own = tmp.resolve("own.vqsession");
        vm.files().saveTo(own);
        ex.runEngine(5);
        vm.run().resume();
        ex.runEngineUntil(() -> step() >= 6, 20);
        pause();
        long sizeBefore = Files.size(own);
        Path other = tmp.resolve("other.vqsession");
        SessionStore.save(other, dev.vqclip.session.SessionData.empty());
        dialogs.unsaved = DialogService.Unsaved.SAVE;
        dialogs.files.add(other); // the open dialog's answer: Save must not use it
        vm.files().open();
        ex.runEngine(10);
        assertThat(SessionStore.load(own).data().current().step()).isEqualTo(6);
        assertThat(Files.size(own)).isNotEqualTo(sizeBefore);
        assertThat(vm.files().sessionFileProperty().get()).isEqualTo(other);
    }

    @Test
    void exportAtTwoAndFourTimesTheSizeKeepsTheMetadata() throws Exception {
        configure(vm, "red");
        vm.start();
        ex.runEngineUntil(() -> step() >= 3, 20);
        pause();
        Frame shown = vm.canvas().getFrame();
        for (int scale : new int[] {1, 2, 4}) {
            Path f = tmp.resolve("x" + scale + ".png");
            dialogs.files.add(f);
            vm.export().exportFrame(scale);
            ex.runEngine(5);
            byte[] png = Files.readAllBytes(f);
            Frame out = Images.decode(png, f.toString());
            assertThat(out.width()).isEqualTo(64 * scale);
            assertThat(out.height()).isEqualTo(48 * scale);
            Map<String, String> text = Png.readText(png);
            assertThat(text).containsEntry("vqclip.prompts", "red:1").containsKey("vqclip.request")
                    .containsEntry("vqclip.step", Integer.toString(step()));
            if (scale == 1) {
                assertThat(out.argb()).isEqualTo(shown.argb());
                assertThat(text).doesNotContainKey("vqclip.scale");
                assertThat(vm.studio().noticeProperty().get()).isEqualTo("exported x1.png");
            } else {
                assertThat(text).containsEntry("vqclip.scale", scale + "x Lanczos-3 from 64x48");
                assertThat(vm.studio().noticeProperty().get()).isEqualTo("exported x" + scale + ".png at " + 64 * scale
                        + "×" + 48 * scale);
            }
        }
    }
}
