package dev.vqclip.app;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Application;
import javafx.beans.value.ChangeListener;
import javafx.scene.Scene;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.util.Duration;
import dev.vqclip.app.run.RunState;
import dev.vqclip.session.SessionStore;

/**
 * The studio window. Launch it with {@link StudioLauncher} (launching an {@code Application} subclass directly from
 * the class path fails). Tests construct it with a {@link StudioConfig} holding a fake engine.
 */
public class StudioApp extends Application {
    private static volatile StudioConfig launchConfig;
    private final StudioConfig config;
    private StudioViewModel vm;
    private Stage stage;
    private Timeline timers;
    private DialogService dialogs;

    public StudioApp() {
        this(launchConfig != null ? launchConfig : StudioConfig.defaults());
    }

    public StudioApp(StudioConfig config) {
        this.config = config;
    }

    static void setLaunchConfig(StudioConfig c) {
        launchConfig = c;
    }

    @Override
    public void start(Stage stage) {
        this.stage = stage;
        Themes.apply(false);
        FxTaskExecutor executor = new FxTaskExecutor();
        dialogs = config.dialogs() != null ? config.dialogs().apply(stage) : new FxDialogService(stage);
        vm = new StudioViewModel(executor, config.engine(), dialogs);
        vm.run().setFrameIntervalMillis(config.frameIntervalMillis());
        MainView view = new MainView(vm, Themes::apply, this::quit);
        Scene scene = new Scene(view, 1200, 780);
        scene.getStylesheets().add(StudioApp.class.getResource("studio.css").toExternalForm());
        stage.setScene(scene);
        stage.titleProperty().bind(vm.titleProperty());
        stage.setOnCloseRequest(e -> {
            if (vm.dirtyProperty().get() && !dialogs.confirmDiscard("the session")) {
                e.consume();
            }
        });
        stage.show();

        timers = new Timeline(new KeyFrame(Duration.seconds(1), e -> vm.refreshMemory()));
        timers.setCycleCount(Timeline.INDEFINITE);
        timers.play();
        vm.refreshMemory();
        if (config.autosaveEvery() != null) {
            Timeline autosave = new Timeline(new KeyFrame(Duration.millis(config.autosaveEvery().toMillis()),
                    e -> vm.autosave(SessionStore.recoveryFile())));
            autosave.setCycleCount(Timeline.INDEFINITE);
            autosave.play();
            stage.setOnHidden(e -> autosave.stop());
        }
        vm.loadEngine();
        if (config.openAtStart() != null) {
            vm.openFile(config.openAtStart());
        }
        if (config.demoPrompt() != null) {
            runDemoScript(scene);
        }
    }

    /** Types the demo prompt into the first row and presses Start once the engine is ready. */
    private void runDemoScript(Scene scene) {
        TextField first = (TextField) scene.lookup("#promptText0");
        if (first != null) {
            first.setText(config.demoPrompt());
        }
        ChangeListener<Boolean> go = new ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends Boolean> o, Boolean was, Boolean ready) {
                if (ready) {
                    vm.run().engineReadyProperty().removeListener(this);
                    if (vm.run().getState() != RunState.RUNNING) {
                        vm.start();
                    }
                }
            }
        };
        vm.run().engineReadyProperty().addListener(go);
        if (Boolean.getBoolean("vqclip.demoPaint")) {
            runPaintDemo();
        }
    }

    /**
     * Screenshot script for co-creation ({@code -Dvqclip.demoPaint=true}, with the demo script): at step
     * {@value #DEMO_PAINT_STEP} it pauses and paints a stroke with the brush; {@value #DEMO_MASK_DELAY_S} seconds
     * later it brushes a mask and shows the latent grid, and stays paused for the screenshots.
     */
    private void runPaintDemo() {
        ChangeListener<Number> atStep = new ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends Number> o, Number a, Number step) {
                if (step.intValue() >= DEMO_PAINT_STEP) {
                    vm.run().stepProperty().removeListener(this);
                    vm.run().pause();
                }
            }
        };
        vm.run().stepProperty().addListener(atStep);
        ChangeListener<RunState> paused = new ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends RunState> o, RunState a, RunState s) {
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
        p.toolProperty().set(dev.vqclip.app.paint.PaintViewModel.Tool.BRUSH);
        p.colourProperty().set(0xfff2c12e);
        p.sizeProperty().set(Math.max(4, w / 12));
        p.hardnessProperty().set(0.6);
        p.press(w * 0.2, h * 0.3);
        for (int i = 1; i <= 20; i++) {
            p.drag(w * (0.2 + 0.5 * i / 20), h * (0.3 + 0.2 * Math.sin(i / 3.0)));
        }
        p.release(w * 0.7, h * 0.3);
        Timeline later = new Timeline(new KeyFrame(Duration.seconds(DEMO_MASK_DELAY_S), e -> {
            p.toolProperty().set(dev.vqclip.app.paint.PaintViewModel.Tool.MASK);
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

    /** @return the session view-model (tests drive and inspect it) */
    public StudioViewModel viewModel() {
        return vm;
    }

    private void quit() {
        if (!vm.dirtyProperty().get() || dialogs.confirmDiscard("the session")) {
            stage.close();
        }
    }

    @Override
    public void stop() {
        if (timers != null) {
            timers.stop();
        }
        if (vm != null) {
            vm.close();
        }
    }
}
