package dev.vqclip.app;

import dev.vqclip.app.run.RunState;
import javafx.scene.control.TitledPane;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.vqclip.app.StudioAppFxTest.fx;
import static dev.vqclip.app.StudioAppFxTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Animate panel in the running studio on the demo models (64x64, 4 cutouts, few steps): typed into, started,
 * paused and resumed with its buttons; frames appear in its strip and the canvas shows the live frame.
 */
class AnimateFxTest extends StudioFxHarness {
    @RegisterExtension
    static final DemoEngine DEMO = new DemoEngine();

    /** Empties the field, then types {@code text} into it. */
    private void type(String query, String text) {
        robot.interact(() -> robot.lookup(query).queryAs(javafx.scene.control.TextField.class).clear());
        reveal(query);
        robot.clickOn(query).write(text);
    }

    @Test
    void startsPausesAndResumesAnAnimationWhoseFramesAppearInTheStrip() throws Exception {
        StudioViewModel vm = start(DEMO.engine(), new ScriptedDialogs(), 0, tmp.resolve("rec"))
                .viewModel();
        robot.interact(() -> {
            configure(vm, "a red circle on a blue background", 64, 64, 5, 0);
            vm.settings().cutoutsProperty().set(4);
            robot.lookup("#animatePane").queryAs(TitledPane.class).setAnimated(false);
            robot.lookup("#animatePane").queryAs(TitledPane.class).setExpanded(true);
        });
        reveal("#animZoom");
        type("#animFrames", "6");
        type("#animSteps", "3");
        type("#animFirstSteps", "4");
        type("#animZoom", "1.05");
        assertThat(fx(() -> vm.animate().fields().errorProperty().get())).isNull();
        assertThat(fx(() -> vm.animate().fields().plan().frames())).isEqualTo(6);
        reveal("#animStart");
        robot.clickOn("#animStart");
        waitUntil(() -> vm.animate().frames().size() >= 1, 120);
        // the preview shows the live frame moved by the next frame's zoom
        assertThat(fx(() -> robot.lookup("#animPreview").queryAs(ImageView.class).getImage())).isNotNull();
        reveal("#animPause");
        robot.clickOn("#animPause");
        waitUntil(() -> vm.run().getState() == RunState.PAUSED, 60);
        int made = fx(() -> vm.animate().frames().size());
        Thread.sleep(500);
        assertThat(fx(() -> vm.animate().frames().size())).isEqualTo(made); // paused: no frame is added
        assertThat(fx(() -> vm.animate().activeProperty().get())).isTrue();
        robot.clickOn("#animResume");
        waitUntil(() -> !vm.animate().activeProperty().get(), 180);
        assertThat(fx(() -> vm.animate().frames().size())).isEqualTo(6);
        assertThat(fx(() -> robot.lookup("#animStrip").queryAs(HBox.class).getChildren().size())).isEqualTo(6);
        assertThat(fx(() -> vm.canvas().getFrame().argb())).isEqualTo(fx(() -> vm.animate().frames().get(5).argb()));
    }
}
