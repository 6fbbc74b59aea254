package dev.vqclip.app.run;

import dev.vqclip.app.core.Captured;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.RunSnapshot;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One view with its view-model driven by hand: buttons follow the derived state. */
class RunViewTest {
    final FxRobot robot = new FxRobot();
    final Deque<Runnable> engineJobs = new ArrayDeque<>();
    RunViewModel vm;
    int starts;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @BeforeEach
    void setUp() throws Exception {
        TaskExecutor ex = new TaskExecutor() {
            @Override
            public void runOnUi(Runnable r) {
                r.run();
            }

            @Override
            public void runOnEngine(Runnable r) {
                engineJobs.add(r);
            }
        };
        RunOutputs out = new RunOutputs() {
            @Override
            public void frame(Frame f, int step) {
            }

            @Override
            public void started(LatentGrid latentGrid, RunSnapshot state, boolean restored) {
            }

            @Override
            public void captured(Captured c) {
            }
        };
        vm = new RunViewModel(ex, p -> null, out);
        FxToolkit.setupSceneRoot(() -> new RunView(vm, () -> starts++, () -> { }));
        FxToolkit.showStage();
    }

    @AfterEach
    void tearDown() throws Exception {
        FxToolkit.cleanupStages();
    }

    boolean disabled(String id) {
        return robot.lookup(id).queryAs(Button.class).isDisabled();
    }

    @Test
    void buttonsFollowTheState() throws Exception {
        assertThat(robot.lookup("#runState").queryAs(Label.class).getText()).isEqualTo("IDLE");
        assertThat(disabled("#start")).isFalse();
        assertThat(disabled("#pause")).isTrue();
        assertThat(disabled("#resume")).isTrue();
        assertThat(disabled("#stop")).isTrue();
        robot.clickOn("#start");
        assertThat(starts).isEqualTo(1);

        robot.interact(() -> {
            vm.loading(-1, "loading");
        });
        assertThat(robot.lookup("#runState").queryAs(Label.class).getText()).isEqualTo("LOADING");
        assertThat(disabled("#start")).isTrue();

        robot.interact(() -> {
            vm.loaded("fake", true);
            vm.halted(EngineWorker.Halt.PAUSED, 3);
        });
        assertThat(robot.lookup("#runState").queryAs(Label.class).getText()).isEqualTo("PAUSED");
        assertThat(disabled("#resume")).isFalse();
        assertThat(disabled("#stop")).isFalse();
        assertThat(disabled("#pause")).isTrue();

        robot.interact(() -> vm.failed("boom"));
        assertThat(robot.lookup("#runState").queryAs(Label.class).getText()).isEqualTo("FAILED");
        assertThat(robot.lookup("#runError").queryAs(Label.class).getText()).isEqualTo("boom");
        assertThat(disabled("#start")).isFalse();
        assertThat(engineJobs).isEmpty();
        assertThat(List.of(vm.getState())).containsExactly(RunState.FAILED);
    }

    @Test
    void aStepThatWentNonFiniteLeavesTheRunPausedAndSaysWhy() throws Exception {
        robot.interact(() -> {
            vm.loaded("fake", true);
            vm.halted(EngineWorker.Halt.PAUSED, 11);
            vm.stoppedNonFinite(new NonFiniteException(12, 11, "the loss is NaN",
                    "gradient of z: NaN in 4,096 of 4,096 values"));
        });
        assertThat(robot.lookup("#runState").queryAs(Label.class).getText()).isEqualTo("PAUSED");
        assertThat(robot.lookup("#runError").queryAs(Label.class).getText())
                .isEqualTo("step 12: the loss is NaN (gradient of z: NaN in 4,096 of 4,096 values); the run stopped"
                        + " at step 11, its last finite state");
        assertThat(vm.messageProperty().get()).startsWith("paused at step 11: step 12 gave a loss that is not a"
                + " number (NaN) and was not kept");
        assertThat(vm.progress().stepProperty().get()).isEqualTo(11);
        assertThat(disabled("#resume")).isFalse();
        assertThat(disabled("#start")).isFalse();
    }
}
