package dev.vqclip.app;

import dev.vqclip.app.editor.EditorViewModel;
import dev.vqclip.app.paint.MaskGrid;
import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.settings.SettingsViewModel;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.Layers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Paint, mask, select-by-text and open-image through the session view-model, with the fake engine, no toolkit. */
class CoCreationViewModelTest extends StudioViewModelTestBase {
    PaintViewModel paint;

    @BeforeEach
    void setUp() {
        configureHarbour();
    }

    private void configureHarbour() {
        paint = vm.paint();
        paint.toolProperty().set(PaintViewModel.Tool.BRUSH);
        configure(vm, "a harbour at night", 200, 0);
    }

    void stroke(double... xy) {
        paint.press(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            paint.drag(xy[i], xy[i + 1]);
        }
        paint.release(xy[xy.length - 2], xy[xy.length - 1]);
    }

    /** The latent cells (row-major over 6×8) any painted pixel touches. */
    static boolean[] touchedCells(boolean[] painted) {
        boolean[] cells = new boolean[48];
        for (int i = 0; i < painted.length; i++) {
            if (painted[i]) {
                cells[(i / 64 / 8) * 8 + (i % 64) / 8] = true;
            }
        }
        return cells;
    }

    @Test
    void paintThenResumeRewritesOnlyThePaintedCellsAndKeepsTheMomentsElsewhere() {
        vm.start();
        runTo(6);
        pause();
        RunSnapshot before = state();
        paint.colourProperty().set(0xff20e020);
        paint.sizeProperty().set(6);
        paint.hardnessProperty().set(1);
        stroke(12, 12, 28, 12);
        boolean[] cells = touchedCells(dev.vqclip.app.paint.Brushes.painted(vm.canvas().paintLayerProperty().get()));
        vm.run().stepOnce(null); // hands over the paint, then one step
        ex.runEngineUntil(() -> step() == before.step() + 1, 20);
        assertThat(engine.paintCalls).isEqualTo(1);
        assertThat(vm.canvas().paintLayerProperty().get()).as("the paint now lives in z").isNull();
        assertThat(vm.studio().noticeProperty().get()).contains("latent cells");

        // compare the state right after the paint (before the step) by replaying the step on a fresh fake run
        RunSnapshot after = state();
        int n = 48;
        int painted = 0;
        for (int c = 0; c < n; c++) {
            if (cells[c]) {
                painted++;
            }
        }
        assertThat(painted).isBetween(2, 10);
        // outside the painted cells the step continued from the untouched z and moments: replaying the same step
        // from `before` without paint gives bit-identical values there
        FakeRunFactory reference = new FakeRunFactory(0);
        try (var r = reference.resume(before)) {
            r.step(false);
            RunSnapshot expected = r.snapshot();
            for (int ch = 0; ch < 3; ch++) {
                for (int c = 0; c < n; c++) {
                    int k = ch * n + c;
                    if (!cells[c]) {
                        assertThat(after.z()[k]).as("z at cell %d", c).isEqualTo(expected.z()[k]);
                        assertThat(after.adamM()[k]).isEqualTo(expected.adamM()[k]);
                        assertThat(after.adamV()[k]).isEqualTo(expected.adamV()[k]);
                    } else {
                        assertThat(after.z()[k]).isNotEqualTo(expected.z()[k]);
                    }
                }
            }
        }
    }

    @Test
    void aMaskBrushedWhileRunningFreezesTheCellsOutsideItFromTheNextStep() {
        vm.start();
        runTo(3);
        paint.toolProperty().set(PaintViewModel.Tool.MASK);
        paint.sizeProperty().set(12);
        paint.hardnessProperty().set(1);
        stroke(8, 8, 40, 8); // while running
        var mask = paint.latentMaskProperty().get();
        assertThat(mask).isNotNull();
        runTo(step() + 2); // the mask applies at the next step
        RunSnapshot a = state();
        assertThat(a.mask()).isNotNull();
        assertThat(a.mask().values()).isEqualTo(mask.values());
        runTo(step() + 10);
        pause();
        RunSnapshot b = state();
        assertThat(b.step()).isGreaterThanOrEqualTo(a.step() + 10);
        int n = 48;
        int frozen = 0;
        for (int c = 0; c < n; c++) {
            for (int ch = 0; ch < 3; ch++) {
                int k = ch * n + c;
                if (mask.values()[c] == 0f) {
                    assertThat(b.z()[k]).as("frozen cell %d", c).isEqualTo(a.z()[k]);
                    frozen++;
                } else {
                    assertThat(b.z()[k]).isNotEqualTo(a.z()[k]);
                }
            }
        }
        assertThat(frozen).isGreaterThan(0);
    }

    @Test
    void keepUnmaskedPixelsReachesTheRunAndFramesKeepTheOriginalOutsideTheMask() {
        vm.start();
        runTo(3);
        pause();
        Frame original = vm.canvas().getFrame();
        paint.toolProperty().set(PaintViewModel.Tool.MASK);
        stroke(4, 4);
        paint.keepUnmaskedPixelsProperty().set(true);
        vm.run().resume();
        runTo(step() + 5);
        pause();
        assertThat(state().request().keepUnmaskedPixels()).isTrue();
        // the fake engine does not composite, but its frozen cells render the same pixels
        Frame now = vm.canvas().getFrame();
        assertThat(now.pixel(60, 40)).isEqualTo(original.pixel(60, 40));
        assertThat(now.pixel(4, 4)).isNotEqualTo(original.pixel(4, 4));
    }

    @Test
    void selectByTextShowsAHeatMapAndReplaceWithMasksSetsThePromptAndResumes() {
        vm.start();
        runTo(4);
        pause();
        paint.byText().selectPhrase().set("the moon");
        vm.coCreation().selectByText();
        ex.runEngine(1);
        assertThat(paint.byText().heat().get()).isNotNull();
        assertThat(paint.byText().heat().get().rows()).isEqualTo(6);
        paint.byText().threshold().set(0.5);
        int expected = 0;
        for (float z : paint.byText().heat().get().zscores()) {
            expected += z >= 0.5 ? 1 : 0;
        }
        paint.byText().replacePhrase().set("a lighthouse");
        vm.coCreation().replaceWith();
        assertThat(paint.byText().heat().get()).isNull();
        assertThat(MaskGrid.editableCells(paint.latentMaskProperty().get())).isEqualTo(expected);
        assertThat(vm.prompts().prompts()).extracting(p -> p.text()).containsExactly("a lighthouse");
        assertThat(vm.run().getState()).isEqualTo(RunState.RUNNING);
        int from = step();
        runTo(from + 2);
        assertThat(engine.promptLog.get(engine.promptLog.size() - 1)).endsWith("[a lighthouse]");
        assertThat(state().mask().values()).isEqualTo(paint.latentMaskProperty().get().values());
    }

    @Test
    void ctrlZUndoesTheNewestEditWhetherStrokeOrPrompt() {
        vm.start();
        runTo(2);
        pause();
        stroke(10, 10, 20, 20);
        Frame stroke1 = vm.canvas().paintLayerProperty().get();
        vm.prompts().rows().get(0).textProperty().set("a harbour at dawn");
        stroke(30, 30, 40, 40);
        vm.edits().undo(); // the second stroke
        assertThat(vm.canvas().paintLayerProperty().get().argb()).isEqualTo(stroke1.argb());
        assertThat(vm.prompts().prompts().get(0).text()).isEqualTo("a harbour at dawn");
        vm.edits().undo(); // the prompt edit
        assertThat(vm.prompts().prompts().get(0).text()).isEqualTo("a harbour at night");
        assertThat(vm.canvas().paintLayerProperty().get().argb()).isEqualTo(stroke1.argb());
        vm.edits().undo(); // the first stroke
        assertThat(vm.canvas().paintLayerProperty().get()).isNull();
        vm.edits().redo();
        assertThat(vm.canvas().paintLayerProperty().get().argb()).isEqualTo(stroke1.argb());
        vm.edits().redo();
        assertThat(vm.prompts().prompts().get(0).text()).isEqualTo("a harbour at dawn");
    }

    @Test
    void continuingFromHistoryBringsBackThatEntrysLayers() {
        vm.start();
        runTo(2);
        pause();
        paint.toolProperty().set(PaintViewModel.Tool.MASK);
        stroke(5, 5, 20, 5);
        var maskThen = vm.canvas().maskLayerProperty().get();
        vm.run().resume();
        runTo(step() + 2);
        pause(); // history entry "paused at" with this mask
        HistoryEntry entry = vm.history().entries().get(vm.history().entries().size() - 1);
        assertThat(entry.layers().mask()).isSameAs(maskThen);
        paint.clearMask();
        assertThat(vm.canvas().maskLayerProperty().get()).isNull();
        vm.history().selectedProperty().set(entry);
        vm.continueFromSelected();
        assertThat(vm.canvas().maskLayerProperty().get()).isSameAs(maskThen);
        ex.runEngine(5);
        assertThat(state().mask().values()).isEqualTo(paint.latentMaskProperty().get().values());
    }

    /** @return a PNG in the temporary folder, {@code w}×{@code h} of one colour */
    Path plainImage(String name, int w, int h, int argb) throws java.io.IOException {
        int[] px = new int[w * h];
        java.util.Arrays.fill(px, argb);
        Path img = tmp.resolve(name);
        Files.write(img, Png.encode(new Frame(w, h, px), Map.of()));
        return img;
    }

    static void assertSameRaster(String what, Layers expected, Layers actual) {
        assertThat(actual).as(what).isNotNull();
        assertSameLayer(what + " paint", expected.paint(), actual.paint(), f -> f.width(), f -> f.argb());
        assertSameLayer(what + " mask", expected.mask(), actual.mask(), m -> m.width(), m -> m.values());
    }

    /** Both null, or the same width and the same values. */
    static <T> void assertSameLayer(String what, T expected, T actual, java.util.function.ToIntFunction<T> width,
                                    java.util.function.Function<T, Object> values) {
        if (expected == null) {
            assertThat(actual).as(what).isNull();
            return;
        }
        assertThat(actual).as(what).isNotNull();
        assertThat(width.applyAsInt(actual)).as(what + " width").isEqualTo(width.applyAsInt(expected));
        assertThat(values.apply(actual)).as(what + " values").isEqualTo(values.apply(expected));
    }

    @Test
    void historyEntriesGetTheirPaintAndMaskBackAfterSaveAndReopenInANewViewModel() {
        vm.start();
        runTo(3);
        pause(); // "paused at 3": nothing painted or masked yet
        paint.toolProperty().set(PaintViewModel.Tool.MASK);
        paint.hardnessProperty().set(0.5); // soft edges: mask values between 0 and 1
        stroke(5, 5, 20, 5);
        paint.toolProperty().set(PaintViewModel.Tool.BRUSH);
        paint.opacityProperty().set(0.6); // see-through paint
        stroke(30, 30, 50, 40);
        vm.run().stop(); // "stopped at 3": takes the mask and the paint not yet handed to the engine
        ex.runEngineUntil(() -> vm.run().getState() != RunState.PAUSED, 10);
        Layers older = paint.layers();
        paint.toolProperty().set(PaintViewModel.Tool.MASK_ERASER);
        stroke(5, 5, 12, 5);
        paint.toolProperty().set(PaintViewModel.Tool.BRUSH);
        paint.colourProperty().set(0xff2040f0);
        stroke(10, 40, 20, 44);
        Layers newer = paint.layers();
        vm.start(); // a new branch whose "start" entry takes the edited layers
        runTo(5);
        pause();

        List<HistoryEntry> made = List.copyOf(vm.history().entries());
        assertThat(made).extracting(HistoryEntry::label).containsExactly("start", "paused at 3", "stopped at 3",
                "start", "paused at 5");
        assertThat(made).allSatisfy(e -> assertThat(e.layers()).as(e.label() + " records layers").isNotNull());
        HistoryEntry stopped = made.get(2);
        assertThat(made.get(1).layers()).isEqualTo(Layers.NONE);
        assertThat(stopped.layers().paint()).isSameAs(older.paint()).isNotNull();
        assertThat(stopped.layers().mask()).isSameAs(older.mask()).isNotNull();
        assertThat(made.get(3).layers().mask()).isSameAs(newer.mask());
        assertThat(newer.mask().values()).as("the newer mask differs").isNotEqualTo(older.mask().values());
        assertThat(newer.paint().argb()).as("the newer paint differs").isNotEqualTo(older.paint().argb());
        boolean soft = false;
        for (float v : older.mask().values()) {
            soft |= v > 0f && v < 1f;
        }
        assertThat(soft).as("the mask has soft values").isTrue();

        Path file = tmp.resolve("layers.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(5);
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("saved layers.vqsession");
        vm.close();

        ManualTaskExecutor ex2 = new ManualTaskExecutor();
        StudioViewModel vm2 = new StudioViewModel(ex2, progress -> new FakeRunFactory(0), dialogs,
                new SettingsViewModel(() -> 7L), () -> 1L);
        vm2.files().openFile(file);
        ex2.runEngine(5);
        assertThat(vm2.studio().noticeProperty().get()).isEqualTo("opened layers.vqsession");
        List<HistoryEntry> back = List.copyOf(vm2.history().entries());
        assertThat(back).extracting(HistoryEntry::id).isEqualTo(made.stream().map(HistoryEntry::id).toList());
        for (int i = 0; i < made.size(); i++) {
            assertSameRaster(made.get(i).label(), made.get(i).layers(), MaskGrid.layersOf(back.get(i)));
        }

        HistoryEntry olderBack = back.get(2);
        vm2.history().selectedProperty().set(olderBack);
        vm2.continueFromSelected();
        assertSameRaster("canvas after going back", older, vm2.paint().layers());
        ex2.runEngine(5);
        AtomicReference<RunSnapshot> s = new AtomicReference<>();
        vm2.run().live().withState(current -> current, s::set, e -> {
            throw new AssertionError(e);
        });
        ex2.runEngineUntil(() -> s.get() != null, 50);
        assertThat(s.get().mask().values()).as("the engine masks with the restored mask")
                .isEqualTo(vm2.paint().latentMaskProperty().get().values());
        vm2.close();
    }

    @Test
    void entriesOfAVersionOneSessionFallBackToTheirLatentMask() throws Exception {
        Path file = tmp.resolve("v1.vqsession");
        try (var in = CoCreationViewModelTest.class.getResourceAsStream("/session/v1.vqsession")) {
            Files.copy(in, file);
        }
        vm.files().openFile(file);
        ex.runEngine(5);
        assertThat(vm.studio().noticeProperty().get()).contains("older version (1)");
        HistoryEntry h1 = vm.history().entries().get(0);
        assertThat(h1.layers()).isNull();
        var latent = h1.snapshot().mask();
        Layers l = MaskGrid.layersOf(h1);
        assertThat(l.paint()).isNull();
        assertThat(l.mask().width()).isEqualTo(h1.frame().width());
        assertThat(l.mask().values()).isEqualTo(MaskGrid.fromCells(latent.values(), latent.rows(), latent.cols(),
                h1.frame().width() / latent.cols(), h1.frame().width(), h1.frame().height()).values());
    }

    @Test
    void savedSessionBringsBackLayersKeepFlagAndTheEditedImage() throws Exception {
        Path img = plainImage("grey.png", 64, 48, 0xff808080);
        vm.openImage(img);
        ex.runEngine(10);
        paint.toolProperty().set(PaintViewModel.Tool.MASK);
        stroke(10, 10, 30, 10);
        paint.toolProperty().set(PaintViewModel.Tool.BRUSH);
        stroke(40, 30);
        paint.keepUnmaskedPixelsProperty().set(true);
        var layers = paint.layers();
        Path file = tmp.resolve("s.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(5);
        vm.files().newSession();
        assertThat(paint.layers().mask()).isNull();
        vm.files().openFile(file);
        ex.runEngine(5);
        assertThat(paint.layers().paint().argb()).isEqualTo(layers.paint().argb());
        assertThat(paint.layers().mask().values()).isEqualTo(layers.mask().values());
        assertThat(paint.keepUnmaskedPixelsProperty().get()).isTrue();
        assertThat(vm.editor().initImage()).contains(img);
    }

    @Test
    void openingAnImageStartsAnEditingRunFromItPausedAtStepZero() throws Exception {
        Path img = plainImage("old_boat.png", 300, 170, 0xff336699);
        vm.prompts().rows().get(0).textProperty().set("");
        vm.openImage(img);
        ex.runEngine(10);
        assertThat(vm.run().getState()).isEqualTo(RunState.PAUSED);
        assertThat(step()).isZero();
        GenerationRequest r = state().request();
        assertThat(r.init()).isEqualTo(GenerationRequest.Init.IMAGE);
        assertThat(r.initImage()).isEqualTo(img);
        assertThat(r.width()).isEqualTo(288);
        assertThat(r.height()).isEqualTo(160);
        assertThat(vm.prompts().prompts().get(0).text()).isEqualTo("old boat");
        assertThat(EditorViewModel.editSize(2000, 1000)).containsExactly(512, 256);
        assertThat(EditorViewModel.editSize(10, 10)).containsExactly(16, 16);

        Path broken = tmp.resolve("broken.png");
        Files.writeString(broken, "not an image");
        vm.openImage(broken);
        ex.runEngine(3);
        assertThat(vm.studio().noticeProperty().get()).contains("could not open broken.png");
        assertThat(state().request().initImage()).isEqualTo(img);
    }

    /**
     * The same hand-over on the real engine (tiny reference models): right after the paint is written, z and both
     * Adam moments are bit-identical outside the painted cells and the painted cells are re-encoded.
     */
    @Test
    void realEnginePaintHandOverKeepsZAndMomentsOutsideThePaintedCells() throws Exception {
        dev.vqclip.testing.Reference.dir();
        var models = CoCreationFxTest.tinyModels();
        var real = new dev.vqclip.engine.run.VqganClipRunFactory(models);
        vm = newVm(real);
        int defaultSteps = vm.settings().stepsProperty().get();
        configureHarbour();
        configure(vm, "a red apple", defaultSteps, 0);
        vm.settings().cutoutsProperty().set(4);
        try {
            vm.start();
            runTo(3);
            pause();
            RunSnapshot before = state();
            assertThat(before.adamM()).as("moments are non-zero after 3 steps").isNotEqualTo(
                    new float[before.adamM().length]);
            paint.colourProperty().set(0xff2040ff);
            paint.sizeProperty().set(5);
            paint.hardnessProperty().set(1);
            stroke(30, 20, 44, 22);
            LatentGrid grid = vm.canvas().latentGridProperty().get();
            boolean[] painted = dev.vqclip.app.paint.Brushes.painted(vm.canvas().paintLayerProperty().get());
            boolean[] cells = new boolean[grid.rows() * grid.cols()];
            for (int i = 0; i < painted.length; i++) {
                if (painted[i]) {
                    cells[(i / 64 / grid.factor()) * grid.cols() + (i % 64) / grid.factor()] = true;
                }
            }
            vm.run().stepOnce(null);
            ex.runEngine(1); // only the hand-over job; the step is still queued
            RunSnapshot after;
            {
                // read the state before the queued step runs
                AtomicReference<RunSnapshot> s = new AtomicReference<>();
                Runnable stepJob = ex.engine.poll();
                vm.run().live().withState(current -> current, s::set, e -> { });
                ex.runEngine(1);
                after = s.get();
                ex.engine.addFirst(stepJob);
            }
            assertThat(after.step()).isEqualTo(before.step());
            int n = cells.length;
            int rewritten = 0;
            for (int k = 0; k < before.z().length; k++) {
                if (!cells[k % n]) {
                    assertThat(after.z()[k]).isEqualTo(before.z()[k]);
                    assertThat(after.adamM()[k]).isEqualTo(before.adamM()[k]);
                    assertThat(after.adamV()[k]).isEqualTo(before.adamV()[k]);
                } else if (after.z()[k] != before.z()[k]) {
                    rewritten++;
                }
            }
            assertThat(rewritten).isPositive();
            ex.runEngineUntil(() -> step() == before.step() + 1, 20);
            assertThat(vm.studio().noticeProperty().get()).contains("latent cells");
        } finally {
            vm.close();
            ex.runEngine(10);
        }
    }
}
