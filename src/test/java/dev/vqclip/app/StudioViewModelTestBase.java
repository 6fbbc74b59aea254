package dev.vqclip.app;

import dev.vqclip.app.run.RunState;
import dev.vqclip.app.settings.SettingsViewModel;
import dev.vqclip.engine.run.RunFactory;
import dev.vqclip.engine.run.RunSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A studio without a toolkit for the view-model tests: the manual executor (the test runs the engine thread's jobs),
 * the fake engine, scripted dialogs, the seed 7 for new sessions and a wall clock at 1.
 */
abstract class StudioViewModelTestBase {
    @TempDir
    Path tmp;
    ManualTaskExecutor ex;
    FakeRunFactory engine;
    ScriptedDialogs dialogs;
    StudioViewModel vm;

    @BeforeEach
    void setUpStudio() {
        ex = new ManualTaskExecutor();
        engine = new FakeRunFactory(0);
        dialogs = new ScriptedDialogs();
        vm = newVm(engine);
    }

    /** @return a studio on {@code f} (every step sends its frame) */
    StudioViewModel newVm(RunFactory f) {
        StudioViewModel v = new StudioViewModel(ex, progress -> f, dialogs, new SettingsViewModel(() -> 7L), () -> 1L);
        v.run().live().setFrameIntervalMillis(0);
        return v;
    }

    /** Types {@code prompt} into the first row and sets a 64×48 run of {@code steps} steps. */
    static void configure(StudioViewModel v, String prompt, int steps, int historyEvery) {
        v.prompts().rows().get(0).textProperty().set(prompt);
        v.settings().widthProperty().set(64);
        v.settings().heightProperty().set(48);
        v.settings().stepsProperty().set(steps);
        v.settings().historyEveryProperty().set(historyEvery);
    }

    int step() {
        return vm.run().progress().stepProperty().get();
    }

    void runTo(int n) {
        ex.runEngineUntil(() -> step() >= n, 500);
    }

    void pause() {
        vm.run().pause();
        ex.runEngineUntil(() -> vm.run().getState() == RunState.PAUSED, 10);
    }

    /** @return the run's state as a save would write it */
    RunSnapshot state() {
        AtomicReference<RunSnapshot> s = new AtomicReference<>();
        vm.run().live().withState(current -> current, s::set, e -> {
            throw new AssertionError(e);
        });
        ex.runEngineUntil(() -> s.get() != null, 50);
        return s.get();
    }
}
