package dev.vqclip.app.paint;

import dev.vqclip.app.canvas.CanvasViewModel;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.session.PixelMask;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The paint/mask tools without a toolkit: strokes in image coordinates, exact undo, hand-over to the engine. */
class PaintViewModelTest {
    static final int W = 64;
    static final int H = 48;
    CanvasViewModel canvas;
    PaintViewModel vm;
    Frame frame;

    @BeforeEach
    void setUp() {
        canvas = new CanvasViewModel();
        int[] px = new int[W * H];
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xff000000 | (i * 2654435761L > 0 ? (int) (i * 2654435761L) & 0xffffff : i);
        }
        frame = new Frame(W, H, px);
        canvas.show(frame, "step 1");
        canvas.latentGridProperty().set(new LatentGrid(H / 8, W / 8, 8));
        vm = new PaintViewModel(canvas.layers());
        vm.toolProperty().set(PaintViewModel.Tool.BRUSH);
    }

    void stroke(double... xy) {
        vm.press(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            vm.drag(xy[i], xy[i + 1]);
        }
        vm.release(xy[xy.length - 2], xy[xy.length - 1]);
    }

    @Test
    void undoOfAStrokeRestoresTheExactPreviousLayerAndRedoTheStroke() {
        vm.colourProperty().set(0xff00ff00);
        vm.opacityProperty().set(0.6);
        stroke(5, 5, 30, 10);
        Frame afterFirst = canvas.paintLayerProperty().get();
        int[] afterFirstPixels = afterFirst.argb().clone();
        vm.colourProperty().set(0xff0000ff);
        vm.hardnessProperty().set(0.2);
        stroke(20, 5, 20, 40);
        Frame afterSecond = canvas.paintLayerProperty().get();
        assertThat(afterSecond.argb()).isNotEqualTo(afterFirstPixels);

        vm.edits().undo();
        assertThat(canvas.paintLayerProperty().get().argb()).isEqualTo(afterFirstPixels);
        vm.edits().undo();
        assertThat(canvas.paintLayerProperty().get()).isNull();
        assertThat(vm.edits().canUndoProperty().get()).isFalse();
        vm.edits().redo();
        vm.edits().redo();
        assertThat(canvas.paintLayerProperty().get().argb()).isEqualTo(afterSecond.argb());
    }

    @Test
    void theEraserRestoresTheFrameUnderIt() {
        vm.sizeProperty().set(10);
        vm.hardnessProperty().set(1);
        stroke(10, 10, 40, 10);
        Frame painted = Brushes.composite(frame, canvas.paintLayerProperty().get());
        assertThat(painted.pixel(20, 10)).isNotEqualTo(frame.pixel(20, 10));
        vm.toolProperty().set(PaintViewModel.Tool.ERASER);
        vm.sizeProperty().set(30);
        stroke(20, 10, 30, 10);
        Frame shown = Brushes.composite(frame, canvas.paintLayerProperty().get());
        assertThat(shown.pixel(20, 10)).isEqualTo(frame.pixel(20, 10));
        assertThat(shown.pixel(25, 10)).isEqualTo(frame.pixel(25, 10));
    }

    @Test
    void thePickerTakesTheShownColourIncludingPaint() {
        vm.toolProperty().set(PaintViewModel.Tool.PICKER);
        vm.press(3, 4);
        assertThat(vm.colourProperty().get()).isEqualTo(frame.pixel(3, 4));
        vm.toolProperty().set(PaintViewModel.Tool.SELECT);
        stroke(0, 0, 9, 9);
        vm.colourProperty().set(0xff123456);
        vm.fillSelection();
        vm.colourProperty().set(0xff000000);
        vm.toolProperty().set(PaintViewModel.Tool.PICKER);
        vm.press(3, 4);
        assertThat(vm.colourProperty().get()).isEqualTo(0xff123456);
    }

    @Test
    void fillingTheSelectionPaintsExactlyItAndIsOneUndoStep() {
        vm.toolProperty().set(PaintViewModel.Tool.SELECT);
        stroke(40, 30, 10, 20);
        assertThat(vm.selectionProperty().get()).isEqualTo(new DirtyRect(10, 20, 31, 11));
        vm.fillSelection();
        boolean[] painted = Brushes.painted(canvas.paintLayerProperty().get());
        int n = 0;
        for (boolean b : painted) {
            n += b ? 1 : 0;
        }
        assertThat(n).isEqualTo(31 * 11);
        vm.edits().undo();
        assertThat(canvas.paintLayerProperty().get()).isNull();
    }

    @Test
    void theMaskReachesTheGridOncePerStrokeAndInvertClearAndFeatherWork() {
        List<LatentMask> sent = new ArrayList<>();
        vm.latentMaskProperty().addListener((o, a, m) -> sent.add(m));
        vm.toolProperty().set(PaintViewModel.Tool.MASK);
        vm.sizeProperty().set(4);
        vm.hardnessProperty().set(1);
        vm.press(4, 4);
        vm.drag(12, 4);
        vm.drag(20, 4);
        assertThat(sent).as("nothing sent while the stroke goes on").isEmpty();
        assertThat(canvas.maskLayerProperty().get()).isNotNull();
        vm.release(20, 4);
        assertThat(sent).hasSize(1);
        LatentMask m = sent.get(0);
        assertThat(m.rows()).isEqualTo(6);
        assertThat(m.cols()).isEqualTo(8);
        assertThat(MaskGrid.editableCells(m)).isEqualTo(3);
        assertThat(m.at(0, 0)).isEqualTo(1f);
        assertThat(m.at(1, 0)).isZero();

        vm.invertMask();
        assertThat(MaskGrid.editableCells(vm.latentMaskProperty().get())).isEqualTo(48 - 3);
        vm.edits().undo();
        vm.featherProperty().set(1);
        LatentMask f = vm.latentMaskProperty().get();
        assertThat(f.at(1, 0)).isEqualTo(0.5f);
        vm.clearMask();
        assertThat(vm.latentMaskProperty().get()).isNull();
        vm.edits().undo();
        assertThat(vm.latentMaskProperty().get()).isNotNull();
    }

    @Test
    void paintIsRefusedWhileRunningButTheMaskIsNot() {
        vm.paintAllowedProperty().set(false);
        stroke(10, 10, 20, 20);
        assertThat(canvas.paintLayerProperty().get()).isNull();
        assertThat(vm.messageProperty().get()).contains("pause");
        vm.toolProperty().set(PaintViewModel.Tool.MASK);
        stroke(10, 10, 20, 20);
        assertThat(vm.latentMaskProperty().get()).isNotNull();
    }

    @Test
    void handingOverGivesACompositedCopyAndClearsThePaint() {
        vm.sizeProperty().set(6);
        vm.hardnessProperty().set(1);
        vm.colourProperty().set(0xffffffff);
        stroke(30, 30);
        Frame layer = canvas.paintLayerProperty().get();
        PaintedImage e = vm.takeEdit(frame);
        assertThat(e).isNotNull();
        assertThat(e.edited()).isNotSameAs(frame);
        assertThat(e.edited().pixel(30, 30)).isEqualTo(0xffffffff);
        assertThat(e.edited().pixel(0, 0)).isEqualTo(frame.pixel(0, 0));
        assertThat(e.painted()).isEqualTo(Brushes.painted(layer));
        assertThat(canvas.paintLayerProperty().get()).isNull();
        assertThat(vm.edits().canUndoProperty().get()).isFalse();
        assertThat(vm.takeEdit(frame)).as("nothing left to hand over").isNull();
    }

    @Test
    void acceptingAHeatMapMakesTheCellsAtOrAboveTheThresholdEditable() {
        float[] z = new float[48];
        z[9] = 2.5f;
        z[10] = 1.2f;
        z[11] = 0.9f;
        vm.byText().heat().set(new dev.vqclip.engine.guide.SelfMask.HeatMap(6, 8, z, 10));
        vm.byText().threshold().set(1.0);
        vm.acceptHeat();
        assertThat(vm.byText().heat().get()).isNull();
        LatentMask m = vm.latentMaskProperty().get();
        assertThat(MaskGrid.editableCells(m)).isEqualTo(2);
        assertThat(m.at(1, 1)).isEqualTo(1f);
        assertThat(m.at(1, 2)).isEqualTo(1f);
        PixelMask px = canvas.maskLayerProperty().get();
        assertThat(px.width()).isEqualTo(W);
        vm.edits().undo();
        assertThat(canvas.maskLayerProperty().get()).isNull();
    }
}
