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
