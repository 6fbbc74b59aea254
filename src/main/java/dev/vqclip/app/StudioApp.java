package dev.vqclip.app;

import dev.vqclip.app.core.DialogService;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.beans.value.ChangeListener;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.util.Duration;
import dev.vqclip.app.run.RunState;
import dev.vqclip.session.SessionStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The studio window. Launch it with {@link StudioLauncher} (launching an {@code Application} subclass directly from
 * the class path fails). Tests construct it with a {@link StudioConfig} holding a fake engine.
 */
public class StudioApp extends Application {
    private static volatile StudioConfig launchConfig;
    /** The engine thread of the studio {@link StudioLauncher} started, awaited after its window closes. */
    private static volatile FxTaskExecutor launchedEngine;
    private final StudioConfig config;
    private final boolean ownsProcess;
    /** The recovery copy this studio writes and deletes on a normal close (null: none, for tests that ask none). */
    private final Path recoveryFile;
    private boolean shutDown;
    private StudioViewModel vm;
    private Stage stage;
    private Timeline timers;
    private Timeline autosave;
    private DialogService dialogs;
    private FxTaskExecutor executor;
    /** The termination signals' handlers while the window is open; {@link #stop} puts the previous ones back. */
    private TerminationSignals signals;
    private final AtomicInteger signalsReceived = new AtomicInteger();

    /**
     * How long a termination signal (SIGTERM, SIGINT, the session logging out) waits for the step in progress, the
     * recovery copy and the freeing of the models before the process ends anyway.
     */
    static final long SIGNAL_GRACE_MILLIS = 20_000;
    /** The signals that end the studio gracefully: {@code kill}, Ctrl+C in its terminal, the terminal closing. */
    private static final List<String> TERMINATION_SIGNALS = List.of("TERM", "INT", "HUP");

    /** The studio as {@link StudioLauncher} starts it: it also handles the process's termination signals. */
    public StudioApp() {
        this(launchConfig != null ? launchConfig : StudioConfig.defaults(), true);
    }

    /** A studio inside a process that is not its own (tests): termination signals are left to the process. */
    public StudioApp(StudioConfig config) {
        this(config, false, null);
    }

    /**
     * A studio inside a process that is not its own, which autosaves to and, when its window closes normally,
     * deletes {@code recoveryFile} like the real one (tests of quitting).
     */
    StudioApp(StudioConfig config, Path recoveryFile) {
        this(config, false, recoveryFile);
    }

    private StudioApp(StudioConfig config, boolean ownsProcess) {
        this(config, ownsProcess, ownsProcess ? SessionStore.recoveryFile() : null);
    }

    private StudioApp(StudioConfig config, boolean ownsProcess, Path recoveryFile) {
        this.config = config;
        this.ownsProcess = ownsProcess;
        this.recoveryFile = recoveryFile;
    }

    static void setLaunchConfig(StudioConfig c) {
        launchConfig = c;
    }

    @Override
    public void start(Stage stage) {
        this.stage = stage;
        Themes.apply(false);
        executor = new FxTaskExecutor();
        if (ownsProcess) {
            launchedEngine = executor;
        }
        dialogs = config.dialogs() != null ? config.dialogs().apply(stage) : new FxDialogService(stage);
        vm = new StudioViewModel(executor, config.engine(), dialogs);
        vm.run().live().setFrameIntervalMillis(config.frameIntervalMillis());
        MainView view = new MainView(vm, Themes::apply, this::quit);
        Scene scene = new Scene(view, 1200, 780);
        scene.getStylesheets().add(StudioApp.class.getResource("studio.css").toExternalForm());
        stage.setScene(scene);
        stage.titleProperty().bind(vm.titleProperty());
        stage.setOnCloseRequest(e -> {
            if (vm.files().dirtyProperty().get()) {
                e.consume(); // Save / Don't Save / Cancel; the window closes after a save that succeeded
                vm.files().afterUnsaved("the session", stage::close);
            }
        });
        // the window is gone (Quit, or closing it after the unsaved-work question): the run stops at its next step
        // boundary, the recovery copy goes, and the engine frees the models once the step in progress has returned
        stage.setOnHidden(e -> shutDown());
        stage.show();
        if (ownsProcess) {
            installSignalHandlers();
            GpuRuntimeOffer.offerInBackground(stage); // an NVIDIA GPU but the CPU build: offer the CUDA runtime
        }

        timers = new Timeline(new KeyFrame(Duration.seconds(1), e -> vm.studio().refreshMemory()));
        timers.setCycleCount(Timeline.INDEFINITE);
        timers.play();
        vm.studio().refreshMemory();
        if (config.autosaveEvery() != null && recoveryFile != null) {
            autosave = new Timeline(new KeyFrame(Duration.millis(config.autosaveEvery().toMillis()),
                    e -> vm.files().autosave(recoveryFile)));
            autosave.setCycleCount(Timeline.INDEFINITE);
            autosave.play();
        }
        vm.run().loadEngine();
        Path leftOver = ownsProcess && Files.isRegularFile(SessionStore.recoveryFile())
                ? SessionStore.recoveryFile() : null;
        if (config.openAtStart() != null) {
            vm.files().openFile(config.openAtStart());
            if (leftOver != null) {
                keepAside(leftOver);
            }
        } else if (leftOver != null) {
            vm.files().recover(leftOver);
        }
        if (config.demoPrompt() != null) {
            new StudioDemo(vm).run(scene, config.demoPrompt());
        }
    }

    /**
     * A recovery copy from a studio that ended without closing its window, when another session is being opened:
     * moved to {@code recovery-<time>.vqsession} beside it, so this studio's autosave cannot overwrite it.
     */
    private void keepAside(Path recovery) {
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", java.util.Locale.ROOT)
                .format(java.time.LocalDateTime.now());
        Path aside = recovery.resolveSibling("recovery-" + stamp + SessionStore.EXTENSION);
        try {
            Files.move(recovery, aside);
            System.err.println("vqclip studio: an unsaved session left by an earlier studio is kept at " + aside);
        } catch (java.io.IOException e) {
            System.err.println("vqclip studio: an unsaved session left by an earlier studio is at " + recovery
                    + " and could not be kept aside (" + e.getMessage() + "): autosave may replace it");
        }
    }

    /**
     * Handles the termination signals itself instead of letting the JVM shut down at once: the shutdown would end
     * the process while the engine thread may be inside a native step (the JVM then dies with SIGSEGV), and JavaFX's
     * own shutdown hook disposes of the toolkit at the same moment, so the FX thread could not gather the unsaved
     * work. A second signal exits without waiting.
     */
    private void installSignalHandlers() {
        signals = TerminationSignals.install(TERMINATION_SIGNALS, this::onSignal);
    }

    private void onSignal(String name, int number) {
        int code = 128 + number;
        if (signalsReceived.getAndIncrement() > 0) {
            System.err.println("vqclip studio: SIG" + name + " again; exiting without waiting");
            System.exit(code);
        }
        // not on the signal dispatcher's thread, which must stay free to deliver a second signal
        Thread t = new Thread(() -> {
            System.err.println("vqclip studio: SIG" + name + "; finishing the step in progress and "
                    + "saving unsaved work (up to " + SIGNAL_GRACE_MILLIS / 1000 + " s)");
            System.err.println("vqclip studio: " + terminatedBySignal(SessionStore.recoveryFile(),
                    SIGNAL_GRACE_MILLIS));
            try {
                if (!executor.awaitTermination(0)) {
                    // exiting now could end the process inside a native step (SIGSEGV in libtorch): wait for it
                    System.err.println("vqclip studio: waiting for the engine to finish the step in progress before "
                            + "exiting (send SIG" + name + " again to exit at once)");
                    executor.awaitTermination(Long.MAX_VALUE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.exit(code);
        }, "studio-termination");
        t.start();
    }

    /** @return the session view-model (tests drive and inspect it) */
    public StudioViewModel viewModel() {
        return vm;
    }

    private void quit() {
        vm.files().afterUnsaved("the session", stage::close);
    }

    /**
     * The window has closed normally (after saving, or agreeing to discard): the recovery copy is deleted at once and
     * no autosave can bring it back, the run stops at its next step boundary (a step in native code is never
     * interrupted), and the engine thread then frees the run and the models and ends. Never waits: the process's
     * exit waits for the engine thread ({@link #awaitLaunchedEngine}). Idempotent; not after a termination signal,
     * whose recovery copy must stay.
     */
    private void shutDown() {
        if (shutDown || vm == null) {
            return;
        }
        shutDown = true;
        if (autosave != null) {
            autosave.stop();
        }
        if (signalsReceived.get() == 0 && recoveryFile != null) {
            vm.files().forgetRecovery(recoveryFile);
        }
        vm.close();
    }

    /** @return whether the main window is showing */
    boolean windowShowing() {
        return stage != null && stage.isShowing();
    }

    /** Waits up to {@code millis} for this studio's engine thread to end (after its window closed). */
    boolean awaitEngine(long millis) throws InterruptedException {
        return executor.awaitTermination(millis);
    }

    /**
     * What a termination signal does (the process is ending without the window having been closed): saves a
     * recovery copy of unsaved work after the step in progress, then waits for the engine thread to free the models
     * and finish, so the process never ends inside a native step. Not on the FX thread.
     *
     * @param recovery where the copy goes
     * @param graceMillis how long to wait in all
     * @return what happened, in words
     */
    String terminatedBySignal(Path recovery, long graceMillis) {
        long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        CompletableFuture<String> saved = new CompletableFuture<>();
        try {
            Platform.runLater(() -> vm.files().saveRecoveryAndClose(recovery, saved::complete));
        } catch (IllegalStateException toolkitGone) {
            return "the window had already closed";
        }
        String what;
        try {
            what = saved.get(graceMillis, TimeUnit.MILLISECONDS);
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            if (!executor.awaitTermination(left)) {
                what += "; the engine did not stop within " + graceMillis / 1000 + " s";
            }
        } catch (TimeoutException e) {
            what = "the unsaved session could not be saved within " + graceMillis / 1000 + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            what = "interrupted while saving the unsaved session";
        } catch (ExecutionException e) {
            what = "the unsaved session could not be saved: " + e.getCause().getMessage();
        }
        return what;
    }

    /**
     * Waits for the engine thread of the studio {@link StudioLauncher} started to finish what {@link #stop} queued
     * (any save in progress, deleting the recovery copy, freeing the models), so the process does not exit with the
     * engine inside a native step. Called after the window has closed, not on the FX thread.
     *
     * @return false when it did not finish in time
     */
    static boolean awaitLaunchedEngine(long millis) throws InterruptedException {
        FxTaskExecutor e = launchedEngine;
        return e == null || e.awaitTermination(millis);
    }

    /** @return whether the engine thread has finished (after {@link #stop} or a termination signal) */
    boolean engineFinished() throws InterruptedException {
        return executor.awaitTermination(0);
    }

    @Override
    public void stop() {
        if (signals != null) {
            signals.close();
        }
        if (timers != null) {
            timers.stop();
        }
        shutDown();
    }
}
