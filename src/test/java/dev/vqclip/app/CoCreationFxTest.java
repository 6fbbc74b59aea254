package dev.vqclip.app;

import ai.djl.Device;
import dev.vqclip.app.run.RunState;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.VqganClipRunFactory;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.testing.Reference;
import javafx.scene.control.CheckBox;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.testfx.util.WaitForAsyncUtils;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Co-creation in the whole studio (TestFX, Monocle headless) on the real engine with the tiny reference models: paint
 * a stroke and brush a mask with the mouse, switch on "keep unmasked pixels", resume, and check that z outside the
 * mask does not change over the following steps and the shown pixels outside the mask stay identical.
 */
class CoCreationFxTest extends StudioFxHarness {
    static RunModels tinyModels() throws Exception {
        Vqgan vq = Vqgan.load(Reference.file("vqgan_tiny.ckpt"), Reference.file("vqgan_tiny.yaml"), Device.cpu());
        Clip clip = Clip.load(Reference.file("clip_tiny_jit.pt"), Device.cpu());
        ClipTokenizer tok = ClipTokenizer.load(Reference.file("clip/bpe_simple_vocab_16e6.txt.gz"));
        return new RunModels(vq, clip, tok, Device.cpu(), "tiny reference models", false);
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(20, TimeUnit.SECONDS);
    }

    static void waitUntil(Callable<Boolean> c, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> fx(c));
    }

    RunSnapshot state(StudioViewModel vm) throws Exception {
        AtomicReference<RunSnapshot> s = new AtomicReference<>();
        robot.interact(() -> vm.run().live().withState(current -> current, s::set,
                e -> { }));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> s.get() != null);
        return s.get();
    }

    void pauseAndWait(StudioViewModel vm) throws Exception {
        robot.clickOn("#pause");
        waitUntil(() -> vm.run().getState() == RunState.PAUSED, 60);
    }

    @Test
    void paintMaskKeepUnmaskedResumeFreezesEverythingOutsideTheMask() throws Exception {
        Reference.dir(); // skips without ../shared/reference (fails on CI)
        RunModels models = tinyModels();
        StudioConfig c = new StudioConfig(p -> new VqganClipRunFactory(models), w -> new ScriptedDialogs(), null,
                null, 0, null);
        StudioApp app = launch(() -> new StudioApp(c));
        StudioViewModel vm = app.viewModel();
        waitUntil(() -> vm.run().engine().engineReadyProperty().get(), 60);
        robot.interact(() -> {
            configure(vm, "a red apple", 64, 48, 1000, 0);
            vm.settings().cutoutsProperty().set(4);
        });
        robot.clickOn("#start");
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 2, 60);
        pauseAndWait(vm);
        LatentGrid grid = fx(() -> vm.canvas().latentGridProperty().get());
        int f = grid.factor();

        // paint a stroke with the brush (B), in the top-left quarter
        robot.clickOn("#canvasImage").type(KeyCode.B);
        assertThat(fx(() -> vm.paint().toolProperty().get())).isEqualTo(dev.vqclip.app.paint.PaintViewModel.Tool.BRUSH);
        robot.interact(() -> {
            vm.paint().sizeProperty().set(4);
            vm.paint().hardnessProperty().set(1);
            vm.paint().colourProperty().set(0xff10e0f0);
        });
        mouseStroke(4, 4, 20, 6);
        Frame paintLayer = fx(() -> vm.canvas().paintLayerProperty().get());
        assertThat(paintLayer).as("the stroke landed in the paint layer").isNotNull();
        // Ctrl+Z removes it, Ctrl+Y brings back exactly the same layer
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertThat(fx(() -> vm.canvas().paintLayerProperty().get())).isNull();
        robot.press(KeyCode.CONTROL).type(KeyCode.Y).release(KeyCode.CONTROL);
        assertThat(fx(() -> vm.canvas().paintLayerProperty().get().argb())).isEqualTo(paintLayer.argb());

        // brush a mask (M) over the right half, turn on "keep unmasked pixels"
        robot.type(KeyCode.M);
        robot.interact(() -> vm.paint().sizeProperty().set(8));
        mouseStroke(40, 24, 56, 24);
        LatentMask mask = fx(() -> vm.paint().latentMaskProperty().get());
        assertThat(mask).isNotNull();
        int editable = dev.vqclip.app.paint.MaskGrid.editableCells(mask);
        assertThat(editable).isBetween(1, grid.rows() * grid.cols() - 1);
        reveal("#keepUnmasked");
        robot.clickOn("#keepUnmasked");
        assertThat(fx(() -> robot.lookup("#keepUnmasked").queryAs(CheckBox.class).isSelected())).isTrue();

        RunSnapshot beforeResume = state(vm);
        boolean[] paintedCells = new boolean[grid.rows() * grid.cols()];
        for (int i = 0; i < paintLayer.argb().length; i++) {
            if (paintLayer.argb()[i] >>> 24 != 0) {
                paintedCells[(i / paintLayer.width() / f) * grid.cols() + (i % paintLayer.width()) / f] = true;
            }
        }
        robot.clickOn("#resume");
        waitUntil(() -> vm.canvas().paintLayerProperty().get() == null, 10);
        int from = fx(() -> vm.run().progress().stepProperty().get());
        waitUntil(() -> vm.run().progress().stepProperty().get() >= from + 2, 60);
        pauseAndWait(vm);
        RunSnapshot a = state(vm);
        Frame frameA = fx(() -> vm.canvas().getFrame());
        assertThat(a.request().keepUnmaskedPixels()).isTrue();
        assertThat(a.mask().values()).isEqualTo(mask.values());
        int cellCount = grid.rows() * grid.cols();
        int paintedOutside = 0;
        for (int ch = 0; ch < a.z().length / cellCount; ch++) {
            for (int cell = 0; cell < cellCount; cell++) {
                int k = ch * cellCount + cell;
                if (mask.values()[cell] == 0f && !paintedCells[cell]) {
                    assertThat(a.z()[k]).as("untouched cell %d after paint + steps", cell)
                            .isEqualTo(beforeResume.z()[k]);
                } else if (mask.values()[cell] == 0f && a.z()[k] != beforeResume.z()[k]) {
                    paintedOutside++;
                }
            }
        }
        assertThat(paintedOutside).as("the paint was written into z").isPositive();

        robot.clickOn("#resume");
        waitUntil(() -> vm.run().progress().stepProperty().get() >= a.step() + 4, 60);
        pauseAndWait(vm);
        RunSnapshot b = state(vm);
        Frame frameB = fx(() -> vm.canvas().getFrame());
        assertThat(b.step()).isGreaterThanOrEqualTo(a.step() + 4);

        int cells = grid.rows() * grid.cols();
        int channels = a.z().length / cells;
        int changedInside = 0;
        for (int ch = 0; ch < channels; ch++) {
            for (int cell = 0; cell < cells; cell++) {
                int k = ch * cells + cell;
                if (mask.values()[cell] == 0f) {
                    assertThat(b.z()[k]).as("z outside the mask, cell %d", cell).isEqualTo(a.z()[k]);
                } else if (b.z()[k] != a.z()[k]) {
                    changedInside++;
                }
            }
        }
        assertThat(changedInside).as("the masked region keeps changing").isPositive();
        int differingOutside = 0;
        for (int y = 0; y < frameA.height(); y++) {
            for (int x = 0; x < frameA.width(); x++) {
                if (mask.at(y / f, x / f) == 0f && frameA.pixel(x, y) != frameB.pixel(x, y)) {
                    differingOutside++;
                }
            }
        }
        assertThat(differingOutside).as("pixels outside the mask that changed").isZero();
    }

    @Test
    void selectByTextShowsTheHeatMapAndAcceptMakesItTheMaskThenReplaceResumes() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(0);
        StudioConfig c = new StudioConfig(p -> engine, w -> new ScriptedDialogs(), null, null, 0, null);
        StudioApp app = launch(() -> new StudioApp(c));
        StudioViewModel vm = app.viewModel();
        waitUntil(() -> vm.run().engine().engineReadyProperty().get(), 10);
        robot.interact(() -> {
            configure(vm, "a forest", 64, 48, 100000, vm.settings().historyEveryProperty().get());
        });
        robot.clickOn("#start");
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 3, 10);
        pauseAndWait(vm);
        assertThat(fx(() -> robot.lookup("#acceptHeat").query().getParent().isVisible())).isFalse();
        reveal("#selectPhrase");
        robot.clickOn("#selectPhrase").write("the river");
        robot.clickOn("#selectByText");
        waitUntil(() -> vm.paint().byText().heat().get() != null, 10);
        assertThat(fx(() -> robot.lookup("#acceptHeat").query().getParent().isVisible())).isTrue();
        robot.interact(() -> vm.paint().byText().threshold().set(0.0));
        float[] z = fx(() -> vm.paint().byText().heat().get().zscores());
        int expected = 0;
        for (float v : z) {
            expected += v >= 0.0 ? 1 : 0;
        }
        reveal("#acceptHeat");
        robot.clickOn("#acceptHeat");
        LatentMask m = fx(() -> vm.paint().latentMaskProperty().get());
        assertThat(dev.vqclip.app.paint.MaskGrid.editableCells(m)).isEqualTo(expected);
        reveal("#replacePhrase");
        robot.clickOn("#replacePhrase").write("a lake");
        robot.clickOn("#replaceWith");
        waitUntil(() -> vm.run().getState() == RunState.RUNNING, 10);
        assertThat(fx(() -> vm.prompts().prompts().get(0).text())).isEqualTo("a lake");
        int from = fx(() -> vm.run().progress().stepProperty().get());
        waitUntil(() -> vm.run().progress().stepProperty().get() >= from + 3, 10);
        assertThat(engine.promptLog.get(engine.promptLog.size() - 1)).endsWith("[a lake]");
        // Ctrl+Z after accepting: the mask goes away again (undo is per edit)
        pauseAndWait(vm);
        robot.clickOn("#canvasImage");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertThat(fx(() -> vm.prompts().prompts().get(0).text())).isEqualTo("a forest");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertThat(fx(() -> vm.paint().latentMaskProperty().get())).isNull();
    }

    /** The screenshot script's paint demo (packaging/screenshots-cocreate.sh) really paints and masks. */
    @Test
    void paintDemoScriptPausesPaintsAndThenMasks() throws Exception {
        FakeRunFactory engine = new FakeRunFactory(0);
        System.setProperty("vqclip.demoPaint", "true");
        try {
            StudioConfig c = new StudioConfig(p -> engine, w -> new ScriptedDialogs(), "a demo", null, 0, null);
            StudioApp app = launch(() -> new StudioApp(c));
            StudioViewModel vm = app.viewModel();
            waitUntil(() -> vm.canvas().paintLayerProperty().get() != null, 20);
            assertThat(fx(() -> vm.run().getState())).isEqualTo(RunState.PAUSED);
            assertThat(fx(() -> vm.run().progress().stepProperty().get()))
                    .isGreaterThanOrEqualTo(StudioDemo.DEMO_PAINT_STEP);
            waitUntil(() -> vm.paint().latentMaskProperty().get() != null, StudioDemo.DEMO_MASK_DELAY_S + 10);
            assertThat(fx(() -> vm.canvas().showGridProperty().get())).isTrue();
            assertThat(fx(() -> vm.canvas().paintLayerProperty().get())).as("paint still shown").isNotNull();
        } finally {
            System.clearProperty("vqclip.demoPaint");
        }
    }
}
