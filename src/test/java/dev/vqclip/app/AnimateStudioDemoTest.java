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
 * {@code vqclip animate} runs, and an animation paused mid-frame, saved, reopened in a fresh studio and resumed ends
 * with the same frames as the one that never stopped.
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
        first.animate().start();
        ex.runEngineUntil(() -> first.animate().frames().size() == 2 && step() == 1, 2000);
        first.animate().pause();
        ex.runEngineUntil(() -> first.run().getState() == RunState.PAUSED, 20);
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
        for (int k = 0; k < FRAMES; k++) {
            assertThat(reopened.animate().frames().get(k).argb()).as("frame %d after save and reopen", k)
                    .isEqualTo(made.get(k).argb());
        }
        reopened.run().close(); // frees its run; the shared executor goes on
        ex.runEngine(5);
    }
}
