package dev.vqclip.app;

import dev.vqclip.app.animate.AnimateViewModel;
import dev.vqclip.app.animate.AnimationPlanFields;
import dev.vqclip.app.run.RunState;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.session.SessionAnimation;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Animate panel on the fake engine: the plan's fields and their errors, the preview of the next frame's move,
 * the frame chain (each frame a run of the engine worker), pause and resume mid-frame and between frames, the
 * animation in the session file, and the MP4/GIF export.
 */
class AnimateViewModelTest extends StudioViewModelTestBase {
    private AnimateViewModel anim() {
        return vm.animate();
    }

    private void plan(String frames, String steps, String first, String zoom) {
        AnimationPlanFields f = anim().fields();
        f.framesProperty().set(frames);
        f.stepsPerFrameProperty().set(steps);
        f.firstStepsProperty().set(first);
        f.zoomProperty().set(zoom);
    }

    private void startPlan(String frames, String steps, String first, String zoom) {
        loaded();
        plan(frames, steps, first, zoom);
        anim().start();
    }

    /** Pauses at the first step of the frame after {@code done} finished ones. */
    private void pauseInFrame(int done) {
        ex.runEngineUntil(() -> anim().frames().size() == done && step() == 1, 200);
        anim().pause();
        ex.runEngineUntil(() -> vm.run().getState() == RunState.PAUSED, 20);
    }

    private void runToTheEnd() {
        ex.runEngineUntil(() -> !anim().activeProperty().get(), 500);
    }

    private void resumeToTheEnd() {
        anim().resume();
        runToTheEnd();
    }

    private void loaded() {
        configure(vm, "a red circle", 5, 0);
        vm.run().loadEngine();
        ex.runEngine(5);
    }

    @Test
    void fieldsSayWhatIsWrongAndTakeKeyframes() {
        AnimationPlanFields f = anim().fields();
        assertThat(f.plan()).isNotNull();
        f.framesProperty().set("many");
        assertThat(f.plan()).isNull();
        assertThat(f.errorProperty().get()).isEqualTo("frames must be a whole number, got 'many'");
        f.framesProperty().set("12");
        f.zoomProperty().set("0:1.0, 6:1.06");
        assertThat(f.errorProperty().get()).isNull();
        assertThat(f.plan().moveInto(3).zoom()).isCloseTo(1.03, org.assertj.core.data.Offset.offset(1e-12));
        f.zoomProperty().set("0");
        assertThat(f.errorProperty().get()).contains("zoom");
        f.zoomProperty().set("1");
        f.stepsPerFrameProperty().set("0");
        assertThat(f.errorProperty().get()).contains("steps per frame");
    }

    @Test
    void previewIsTheShownFrameMovedByTheNextFramesPan() {
        AnimationPlanFields f = anim().fields();
        assertThat(f.previewProperty().get()).isNull(); // nothing shown yet
        int[] px = new int[64 * 48];
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xff000000 | ((i % 64) * 4 << 16) | ((i / 64) * 5 << 8) | (i * 7 & 0xff);
        }
        Frame shown = new Frame(64, 48, px);
        plan("10", "4", "8", "1");
        vm.canvas().show(shown, "test");
        assertThat(f.previewProperty().get().argb()).isEqualTo(shown.argb()); // no move: the frame itself
        f.panXProperty().set("0:0, 1:8"); // the next frame (1) pans 8 px right
        Frame p = f.previewProperty().get();
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x + 8 < 64; x++) {
                assertThat(p.argb()[y * 64 + x + 8]).isEqualTo(px[y * 64 + x]);
            }
            assertThat(p.argb()[y * 64]).isEqualTo(px[y * 64]); // the edge's colour fills in
        }
        assertThat(f.previewCaptionProperty().get()).startsWith("frame 1: zoom 1.000, rotate 0.000°, pan 8.000");
        f.panXProperty().set("oops");
        assertThat(f.previewProperty().get()).isNull();
    }

    @Test
    void previewOfALargeFrameIsSmallAndPansInProportion() {
        Frame big = new Frame(512, 256, new int[512 * 256]);
        vm.canvas().show(big, "big");
        assertThat(anim().fields().previewProperty().get().width()).isEqualTo(AnimationPlanFields.PREVIEW_SIDE);
        assertThat(anim().fields().previewProperty().get().height()).isEqualTo(AnimationPlanFields.PREVIEW_SIDE / 2);
    }

    @Test
    void framesFollowOneAnotherAsRunsOfTheWorkerAndGoToTheStrip() {
        startPlan("3", "2", "4", "1.1");
        assertThat(anim().activeProperty().get()).isTrue();
        runToTheEnd();
        assertThat(anim().frames()).hasSize(3);
        assertThat(anim().messageProperty().get()).isEqualTo("finished: 3 frames");
        // the last frame is the live one on the canvas; the fake's runs start from their seeds: frames differ
        assertThat(vm.canvas().getFrame().argb()).isEqualTo(anim().frames().get(2).argb());
        assertThat(anim().frames().get(0).argb()).isNotEqualTo(anim().frames().get(1).argb());
        assertThat(engine.stepThreads).hasSize(1);
        // frame k's run has its own seed (7 + k) and steps: 4 + 2 + 2 steps in all
        assertThat(vm.history().entries().stream().map(e -> e.label()).toList())
                .contains("finished at 4", "finished at 2");
    }

    @Test
    void pauseMidFrameLetsThePaintedRunGoOnAndTheChainContinues() {
        startPlan("3", "3", "4", "1");
        pauseInFrame(1);
        int at = step();
        ex.runEngine(20);
        assertThat(step()).isEqualTo(at); // paused: no step taken
        assertThat(anim().frames()).hasSize(1);
        resumeToTheEnd();
        assertThat(anim().frames()).hasSize(3);
    }

    @Test
    void aPauseThatMeetsTheEndOfAFrameStopsAtTheStartOfTheNext() {
        startPlan("3", "3", "4", "1");
        // the pause arrives while frame 1's last step is computed (the step's event reaches the UI before its end)
        vm.run().progress().stepProperty().addListener((o, a, s) -> {
            if (s.intValue() == 4 && anim().frames().isEmpty()) {
                anim().pause();
            }
        });
        ex.runEngineUntil(() -> anim().messageProperty().get().startsWith("paused at the start"), 200);
        ex.runEngine(20);
        assertThat(vm.run().getState()).isEqualTo(RunState.PAUSED);
        assertThat(step()).isZero();
        ex.runEngine(20);
        assertThat(anim().frames()).hasSize(1);
        assertThat(anim().activeProperty().get()).isTrue();
        assertThat(anim().messageProperty().get()).startsWith("paused at the start of frame 2 of 3");
        resumeToTheEnd();
        assertThat(anim().frames()).hasSize(3);
    }

    @Test
    void stopKeepsTheFramesAndResumeGoesOnLater() {
        startPlan("4", "2", "2", "1");
        ex.runEngineUntil(() -> anim().frames().size() == 2, 200);
        anim().stop();
        ex.runEngine(20);
        assertThat(anim().activeProperty().get()).isFalse();
        assertThat(anim().frames()).hasSize(2);
        resumeToTheEnd();
        assertThat(anim().frames()).hasSize(4);
    }

    @Test
    void theSessionFileKeepsThePlanTheFramesAndTheFrameInProgress() throws Exception {
        loaded();
        plan("4", "2", "3", "0:1.0, 3:1.05");
        anim().fields().rotateProperty().set("0.5");
        anim().start();
        pauseInFrame(2);
        Path file = tmp.resolve("anim.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(5);
        SessionAnimation saved = dev.vqclip.session.SessionStore.load(file).data().animation();
        assertThat(saved.active()).isTrue();
        assertThat(saved.plan()).isEqualTo(anim().fields().plan());
        assertThat(saved.frames()).hasSize(2);
        assertThat(saved.frames().get(1).argb()).isEqualTo(anim().frames().get(1).argb());

        StudioViewModel vm2 = newVm(new FakeRunFactory(0));
        vm2.run().loadEngine();
        vm2.files().openFile(file);
        ex.runEngine(10);
        assertThat(vm2.animate().frames()).hasSize(2);
        assertThat(vm2.animate().fields().zoomProperty().get()).isEqualTo("0:1,3:1.05");
        assertThat(vm2.animate().fields().rotateProperty().get()).isEqualTo("0.5");
        assertThat(vm2.animate().activeProperty().get()).isTrue();
        vm2.animate().resume();
        ex.runEngineUntil(() -> !vm2.animate().activeProperty().get(), 500);
        resumeToTheEnd();
        assertThat(vm2.animate().frames()).hasSize(4);
        for (int k = 0; k < 4; k++) {
            assertThat(vm2.animate().frames().get(k).argb()).as("frame %d", k)
                    .isEqualTo(anim().frames().get(k).argb());
        }
    }

    @Test
    void exportsTheFramesAsMp4AndGif() throws Exception {
        startPlan("3", "1", "1", "1.05");
        runToTheEnd();
        Path mp4 = tmp.resolve("a.mp4");
        Path gif = tmp.resolve("a.gif");
        anim().export().exportTo(mp4, null);
        assertThat(anim().export().progressProperty().get()).isZero();
        anim().export().exportTo(gif, null);
        ex.runEngine(10);
        assertThat(anim().export().progressProperty().get()).isEqualTo(-1);
        assertThat(Files.size(mp4)).isPositive();
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("exported 3 frames to a.gif (12 fps)");
        javax.imageio.ImageReader r = javax.imageio.ImageIO.getImageReadersByFormatName("gif").next();
        try (var in = javax.imageio.ImageIO.createImageInputStream(gif.toFile())) {
            r.setInput(in);
            assertThat(r.getNumImages(true)).isEqualTo(3);
        }
        anim().export().exportTo(tmp.resolve("a.avi"), null);
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("export the animation as .mp4 or .gif, not a.avi");
    }
}
