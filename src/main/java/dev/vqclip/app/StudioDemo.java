package dev.vqclip.app;

import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.run.RunState;
import dev.vqclip.engine.guide.PromptParser;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.scene.Scene;
import javafx.util.Duration;

import java.util.Locale;

/**
 * The studio's demo script ({@link StudioConfig#demoPrompt()}, for screenshots and the README): it types the
 * prompt, presses Generate once the engine is ready and prints the run's rate when it finishes; with
 * {@code -Dvqclip.demoPaint=true} it also paints and masks at a fixed step; {@code -Dvqclip.demoStory=SPEC} uses the
 * scheduled prompts of SPEC ({@code text:w:FROM-UNTIL~RAMP | ...}) instead of the prompt. It drives the studio
 * only through its view-models.
 */
final class StudioDemo {
    private final StudioViewModel vm;

    StudioDemo(StudioViewModel vm) {
        this.vm = vm;
    }

    /** Types the demo prompt into the first row and presses Start once the engine is ready. */
    void run(Scene scene, String prompt) {
        String story = System.getProperty("vqclip.demoStory");
        if (story != null) {
            vm.prompts().setPrompts(PromptParser.parse(story)); // scheduled prompts, for the timeline's screenshot
            scene.lookup("#promptText0").requestFocus();
        } else if (scene.lookup("#promptText0") instanceof javafx.scene.control.TextInputControl first) {
            first.setText(prompt);
        }
        ChangeListener<Boolean> go = new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Boolean> o, Boolean was, Boolean ready) {
                if (ready) {
                    vm.run().engine().engineReadyProperty().removeListener(this);
                    if (vm.run().getState() != RunState.RUNNING) {
                        demoSettings();
                        vm.start();
                        reportWhenFinished(System.nanoTime());
                    }
                }
            }
        };
        vm.run().engine().engineReadyProperty().addListener(go);
        if (Boolean.getBoolean("vqclip.demoPaint")) {
            runPaintDemo();
        }
    }

    /** {@code -Dvqclip.demoSteps=N} and {@code -Dvqclip.demoSeed=S} set the demo script's run (for the README shot). */
    private void demoSettings() {
        Integer steps = Integer.getInteger("vqclip.demoSteps");
        Long seed = Long.getLong("vqclip.demoSeed");
        if (steps != null) {
            vm.settings().stepsProperty().set(steps);
        }
        if (seed != null) {
            vm.settings().seedProperty().set(seed);
        }
    }

    /**
     * Prints one line when the demo script's run has taken all its steps: the steps, the wall time from Start and
     * the mean rate (screenshot scripts wait for it and quote it).
     */
    private void reportWhenFinished(long startNanos) {
        ChangeListener<RunState> done = new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends RunState> o, RunState a, RunState st) {
                int step = vm.run().progress().stepProperty().get();
                if (st == RunState.PAUSED && step >= vm.run().progress().totalStepsProperty().get()) {
                    vm.run().stateProperty().removeListener(this);
                    double secs = (System.nanoTime() - startNanos) / 1e9;
                    System.out.printf(Locale.ROOT, "demo script: finished %d steps at %dx%d in %.1f s "
                            + "(%.2f it/s from Generate to the last step)%n", step, vm.settings().widthProperty().get(),
                            vm.settings().heightProperty().get(), secs, step / secs);
                    System.out.flush();
                }
            }
        };
        vm.run().stateProperty().addListener(done);
    }

    /**
     * Screenshot script for co-creation ({@code -Dvqclip.demoPaint=true}, with the demo script): at step
     * {@value #DEMO_PAINT_STEP} it pauses and paints a stroke with the brush; {@value #DEMO_MASK_DELAY_S} seconds
     * later it brushes a mask and shows the latent grid, and stays paused for the screenshots.
     */
    private void runPaintDemo() {
        ChangeListener<Number> atStep = new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Number> o, Number a, Number step) {
                if (step.intValue() >= DEMO_PAINT_STEP) {
                    vm.run().progress().stepProperty().removeListener(this);
                    vm.run().pause();
                }
            }
        };
        vm.run().progress().stepProperty().addListener(atStep);
        ChangeListener<RunState> paused = new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends RunState> o, RunState a, RunState s) {
                if (s == RunState.PAUSED && vm.canvas().getFrame() != null) {
                    vm.run().stateProperty().removeListener(this);
                    demoStrokes();
                }
            }
        };
        vm.run().stateProperty().addListener(paused);
    }

    static final int DEMO_PAINT_STEP = 10;
    static final int DEMO_MASK_DELAY_S = 6;

    private void demoStrokes() {
        var p = vm.paint();
        var f = vm.canvas().getFrame();
        double w = f.width();
        double h = f.height();
        p.toolProperty().set(PaintViewModel.Tool.BRUSH);
        p.colourProperty().set(0xfff2c12e);
        p.sizeProperty().set(Math.max(4, w / 12));
        p.hardnessProperty().set(0.6);
        p.press(w * 0.2, h * 0.3);
        for (int i = 1; i <= 20; i++) {
            p.drag(w * (0.2 + 0.5 * i / 20), h * (0.3 + 0.2 * Math.sin(i / 3.0)));
        }
        p.release(w * 0.7, h * 0.3);
        Timeline later = new Timeline(new KeyFrame(Duration.seconds(DEMO_MASK_DELAY_S), e -> {
            p.toolProperty().set(PaintViewModel.Tool.MASK);
            p.sizeProperty().set(Math.max(4, w / 6));
            p.press(w * 0.25, h * 0.65);
            for (int i = 1; i <= 10; i++) {
                p.drag(w * (0.25 + 0.45 * i / 10), h * 0.65);
            }
            p.release(w * 0.7, h * 0.65);
            p.featherProperty().set(1);
            vm.canvas().showGridProperty().set(true);
        }));
        later.play();
    }
}
