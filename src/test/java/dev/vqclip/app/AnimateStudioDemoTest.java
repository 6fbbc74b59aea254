package dev.vqclip.app;

import dev.vqclip.app.animate.AnimateViewModel;
import dev.vqclip.app.animate.AnimationPlanFields;
import dev.vqclip.app.run.RunState;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.Animation;
import dev.vqclip.engine.run.GenerationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A studio animation on the bundled demo models (64x64, 4 cutouts, 6 + 3 steps per frame, zoom, keyframed rotation
 * and a pan): its frames are bit for bit the frames of the engine's {@link Animation#render} loop that
 * {@code vqclip animate} runs; an animation paused mid-frame, saved, reopened in a fresh studio and resumed ends
 * with the same frames as the one that never stopped; and paint brushed into a paused frame stays in it (measured:
 * green minus the mean of red and blue along the bar 36.3 painted, -51.1 unpainted) while every later frame is the
 * engine loop's frame from the painted one.
 */
class AnimateStudioDemoTest extends StudioViewModelTestBase {
    private static final int FRAMES = 5;
    @RegisterExtension
    static final DemoEngine DEMO = new DemoEngine();

    private StudioViewModel studio() {
        StudioViewModel v = newVm(DEMO.engine());
        configure(v, "a red circle on a blue background", 5, 0);
        v.settings().widthProperty().set(64);
        v.settings().heightProperty().set(64);
        v.settings().cutoutsProperty().set(4);
        AnimationPlanFields f = v.animate().fields();
        f.framesProperty().set(Integer.toString(FRAMES));
        f.stepsPerFrameProperty().set("3");
        f.firstStepsProperty().set("6");
        f.zoomProperty().set("1.06");
        f.rotateProperty().set("0:0, 4:2");
        f.panXProperty().set("1");
        v.run().loadEngine();
        ex.runEngine(5);
        return v;
    }

    /** Starts the animation and pauses it at the first step of the frame after {@code done} finished ones. */
    private void startAndPauseInFrame(StudioViewModel v, int done) {
        v.animate().start();
        ex.runEngineUntil(() -> v.animate().frames().size() == done && step() == 1, 2000);
        v.animate().pause();
        ex.runEngineUntil(() -> v.run().getState() == RunState.PAUSED, 20);
    }

    private void finish(AnimateViewModel a) {
        ex.runEngineUntil(() -> !a.activeProperty().get(), 2000);
        assertThat(a.frames()).hasSize(FRAMES);
    }

    @Test
    void studioFramesAreTheEngineLoopsFramesAndSurviveSaveReopenResumeBitForBit() throws Exception {
        StudioViewModel straight = studio();
        straight.animate().start();
        finish(straight.animate());
        List<Frame> made = List.copyOf(straight.animate().frames());

        // the engine's own loop (what vqclip animate runs) from the same plan and request
        Animation plan = straight.animate().fields().plan();
        GenerationRequest base = straight.animate().toSession().base();
        Frame previous = null;
        for (int k = 0; k < FRAMES; k++) {
            previous = plan.render(DEMO.models(), base, k, previous, tmp, (i, e) -> { }, () -> false);
            assertThat(made.get(k).argb()).as("frame %d against Animation.render", k).isEqualTo(previous.argb());
        }
        // a moving camera: neighbouring frames differ
        assertThat(made.get(3).argb()).isNotEqualTo(made.get(4).argb());
        straight.run().close(); // frees its run; the shared executor goes on
        ex.runEngine(5);

        // paused in the middle of frame 2 (index 2, step 1 of 3), saved, reopened, resumed
        StudioViewModel first = studio();
        vm = first;
        startAndPauseInFrame(first, 2);
        Path file = tmp.resolve("animation.vqsession");
        first.files().saveTo(file);
        ex.runEngine(5);
        assertThat(first.studio().noticeProperty().get()).isEqualTo("saved animation.vqsession");
        first.run().close(); // frees its run; the shared executor goes on
        ex.runEngine(5);

        StudioViewModel reopened = studio();
        reopened.files().openFile(file);
        ex.runEngine(10);
        assertThat(reopened.animate().frames()).hasSize(2);
        assertThat(reopened.animate().activeProperty().get()).isTrue();
        reopened.animate().resume();
        finish(reopened.animate());
        // the editor shows frame 0's request, not a frame's seed or its (deleted) moved image
        GenerationRequest shown = reopened.editor().requestForFile(false);
        assertThat(shown.seed()).isEqualTo(base.seed());
        assertThat(shown.initImage()).isNull();
        for (int k = 0; k < FRAMES; k++) {
            assertThat(reopened.animate().frames().get(k).argb()).as("frame %d after save and reopen", k)
                    .isEqualTo(made.get(k).argb());
        }
        reopened.run().close(); // frees its run; the shared executor goes on
        ex.runEngine(5);
    }

    @Test
    void paintIntoAPausedFrameAndTheAnimationGoesOnFromThePaintedFrame() throws Exception {
        StudioViewModel v = studio();
        vm = v;
        startAndPauseInFrame(v, 1);
        // a green bar with the brush (the co-creation path), handed to the run on resume
        dev.vqclip.app.paint.PaintViewModel paint = v.paint();
        paint.toolProperty().set(dev.vqclip.app.paint.PaintViewModel.Tool.BRUSH);
        paint.colourProperty().set(0xff20e020);
        paint.sizeProperty().set(8);
        paint.hardnessProperty().set(1);
        paint.press(8, 32);
        paint.drag(56, 32);
        paint.release(56, 32);
        v.animate().resume();
        finish(v.animate());
        List<Frame> made = List.copyOf(v.animate().frames());
        // every later frame is the engine loop's frame from the painted frame 1
        Animation plan = v.animate().fields().plan();
        GenerationRequest base = v.animate().toSession().base();
        Frame previous = made.get(1);
        for (int k = 2; k < FRAMES; k++) {
            previous = plan.render(DEMO.models(), base, k, previous, tmp, (i, e) -> { }, () -> false);
            assertThat(made.get(k).argb()).as("frame %d from the painted frame", k).isEqualTo(previous.argb());
        }
        // and the paint made a difference: frame 1 is greener along the bar than the unpainted engine loop's
        Frame plain = plan.render(DEMO.models(), base, 1,
                plan.render(DEMO.models(), base, 0, null, tmp, (i, e) -> { }, () -> false), tmp, (i, e) -> { },
                () -> false);
        assertThat(made.get(0).argb()).isEqualTo(plan.render(DEMO.models(), base, 0, null, tmp, (i, e) -> { },
                () -> false).argb());
        System.out.printf("green along the bar: painted frame 1 %.1f, unpainted %.1f%n", green(made.get(1)),
                green(plain));
        assertThat(green(made.get(1))).isGreaterThan(green(plain) + 5);
        v.run().close();
        ex.runEngine(5);
    }

    /** @return the mean green minus the mean of red and blue along the painted bar (rows 28..36) */
    private static double green(Frame f) {
        double sum = 0;
        int n = 0;
        for (int y = 28; y <= 36; y++) {
            for (int x = 8; x < 56; x++) {
                int p = f.argb()[y * f.width() + x];
                sum += ((p >> 8) & 0xff) - (((p >> 16) & 0xff) + (p & 0xff)) / 2.0;
                n++;
            }
        }
        return sum / n;
    }
}
