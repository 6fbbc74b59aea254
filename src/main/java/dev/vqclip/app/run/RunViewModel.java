package dev.vqclip.app.run;

import dev.vqclip.app.core.Captured;
import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.RunOutOfMemoryException;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.StepEvent;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The run's controls and state: load, start, step, open, pause, resume, stop, restore, park. Commands go to the
 * {@link EngineWorker}, which this class alone holds; its results arrive here on the UI thread and become properties.
 * {@link #stateProperty()} is derived from the facts (loading, running, resumable, error). The parts: {@link #live()}
 * (what reaches the run between steps: mask, paint, learning rate), {@link #progress()}, {@link #chart()},
 * {@link #engine()}.
 */
public final class RunViewModel implements EngineListener {
    private final EngineWorker worker;
    private final RunOutputs outputs;
    private final LongSupplier clock;
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper resumable = new ReadOnlyBooleanWrapper();
    /** Pause was asked for and the step in progress has not ended yet. */
    private final ReadOnlyBooleanWrapper pausing = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final EngineInfo engine = new EngineInfo();
    private final LiveRun live;
    private final LossChart chart = new LossChart();
    private final RunProgress progress;
    private final ObjectBinding<RunState> state;
    private final ResumeGate gate = new ResumeGate();

    public RunViewModel(TaskExecutor executor, EngineProvider provider, RunOutputs outputs) {
        this(executor, provider, outputs, System::nanoTime);
    }

    /** @param clock nanoseconds, for it/s (tests pass a fake) */
    public RunViewModel(TaskExecutor executor, EngineProvider provider, RunOutputs outputs, LongSupplier clock) {
        this.worker = new EngineWorker(executor, provider, this);
        this.live = new LiveRun(worker, executor);
        this.outputs = outputs;
        this.clock = clock;
        this.progress = new RunProgress(clock);
        state = Bindings.createObjectBinding(() -> {
            if (error.get() != null) {
                return RunState.FAILED;
            }
            if (loading.get()) {
                return RunState.LOADING;
            }
            if (running.get()) {
                return pausing.get() ? RunState.PAUSING : RunState.RUNNING;
            }
            return resumable.get() ? RunState.PAUSED : RunState.IDLE;
        }, error, loading, running, resumable, pausing);
    }

    // ---- Commands ----

    /** Loads the models in the background (at startup, so Start is quick). */
    public void loadEngine() {
        loading.set(true);
        worker.load();
    }

    /** Starts a new run with the request; a previous run is replaced (its history stays). */
    public void start(GenerationRequest request) {
        clearProblems();
        pausing.set(false);
        running.set(true);
        gate.stopOpening();
        message.set("running");
        resetStats(request);
        worker.start(request, true);
    }

    /** Takes one step: of the paused run, or of a new run when there is none. */
    public void stepOnce(GenerationRequest requestIfNew) {
        clearProblems();
        if (resumable.get()) {
            if (refused() || gate.deferred(() -> stepOnce(null))) {
                return;
            }
            gate.handOver();
            worker.stepOnce();
        } else if (requestIfNew != null) {
            gate.stopOpening();
            resetStats(requestIfNew);
            worker.start(requestIfNew, false);
        }
    }

    /**
     * Starts a new run and leaves it paused at step 0 (to edit an opened image first). The state is PAUSED at once,
     * while the engine still encodes the image: a Resume or a step given meanwhile waits for the run to exist and
     * then goes (with any paint made meanwhile).
     *
     * @param label the history entry of the opened image
     */
    public void open(GenerationRequest request, String label) {
        clearProblems();
        halt();
        resetStats(request);
        resumable.set(true);
        gate.opening();
        message.set("paused at step 0");
        worker.open(request, label);
    }

    /**
     * Checked before a resume or a single step of the paused run (e.g. "the prompt is empty"): a non-null answer
     * refuses it, shown as the run's warning (the run stays paused).
     */
    public void setResumeCheck(java.util.function.Supplier<String> check) {
        gate.setCheck(check);
    }

    private boolean refused() {
        String why = gate.refusal();
        if (why != null) {
            warning.set(why);
        }
        return why != null;
    }

    /** Asks the run to pause; the state is PAUSING until the step in progress has ended. */
    public void pause() {
        if (gate.cancelDeferred()) { // the resume asked for while opening is called off
            running.set(false);
            message.set("paused at step 0");
            return;
        }
        if (running.get()) {
            pausing.set(true);
            message.set("pausing after the step in progress…");
        }
        worker.pause();
    }

    /** Runs on the UI thread right before a resume or a single step is sent to the engine (hands over paint). */
    public void setBeforeResume(Runnable r) {
        gate.setHandOver(r);
    }

    public void resume() {
        if (refused()) {
            return;
        }
        if (gate.deferred(this::resume)) {
            running.set(true);
            message.set("running once the image is encoded…");
            return;
        }
        gate.handOver();
        clearProblems();
        pausing.set(false);
        running.set(true);
        message.set("running from step " + progress.stepProperty().get());
        progress.resumed();
        worker.resume();
    }

    /** Space: pause when running, resume when paused (or pausing: the pause is called off). */
    public void togglePause() {
        if (running.get() && !pausing.get()) {
            pause();
        } else if (pausing.get() || resumable.get()) {
            resume();
        }
    }

    public void stop() {
        worker.stop();
    }

    /** Prompt edits: applied by the engine before its next step. */
    public void promptsEdited(List<Prompt> prompts) {
        if (!prompts.isEmpty() && gate.refusedWith(warning.get())) {
            warning.set(null); // "the prompt is empty" no longer holds
        }
        if (!prompts.isEmpty()) {
            live.setPrompts(prompts);
        }
    }

    /** Makes a history snapshot the current (paused) state. */
    public void restore(RunSnapshot s) {
        clearProblems();
        halt();
        gate.stopOpening();
        worker.restore(s);
    }

    /** Drops the run, keeping {@code s} (may be null) to resume from (after opening a session). */
    public void park(RunSnapshot s) {
        halt();
        gate.stopOpening();
        clearProblems();
        resumable.set(s != null);
        worker.park(s);
        if (s != null) {
            progress.at(s.step(), s.request().steps(), true);
        }
    }

    /** Shows an error that happened outside the run (e.g. an invalid request) as the FAILED state. */
    public void showError(String msg) {
        error.set(msg);
    }

    public void close() {
        worker.close();
    }

    private void clearProblems() {
        error.set(null);
        warning.set(null);
    }

    private void halt() {
        running.set(false);
        pausing.set(false);
    }

    private void resetStats(GenerationRequest r) {
        chart.dropPending();
        progress.reset(r.steps());
    }

    // ---- Engine results (UI thread) ----

    @Override
    public void loading(double fraction, String msg) {
        loading.set(true);
        progress.bar(fraction);
        message.set(msg);
    }

    @Override
    public void loaded(String description, boolean isDemo) {
        loading.set(false);
        engine.loaded(description, isDemo);
        progress.bar(0);
        message.set("engine ready");
    }

    @Override
    public void loadFailed(String msg) {
        loading.set(false);
        halt();
        engine.failed();
        error.set(msg);
        message.set(msg);
        progress.bar(0);
    }

    @Override
    public void started(LatentGrid latentGrid, Frame frame, RunSnapshot s, boolean restored) {
        resumable.set(true);
        progress.at(s.step(), s.request().steps(), false);
        outputs.started(latentGrid, s, restored);
        outputs.frame(frame, s.step());
    }

    @Override
    public void stepped(List<StepEvent> events, Frame latest) {
        chart.add(events, clock.getAsLong());
        progress.stepped(events);
        if (latest != null) {
            outputs.frame(latest, progress.stepProperty().get());
        }
    }

    @Override
    public void captured(Captured c) {
        outputs.captured(c);
    }

    @Override
    public void halted(EngineWorker.Halt why, int atStep) {
        chart.flush();
        halt();
        resumable.set(why != EngineWorker.Halt.STOPPED);
        progress.halted(atStep);
        message.set(switch (why) {
            case PAUSED -> "paused at step " + atStep;
            case FINISHED -> "finished at step " + atStep;
            case STOPPED -> "stopped at step " + atStep;
        });
        gate.opened(); // an opened image's run exists now: do what was asked meanwhile
        outputs.halted(why);
    }

    /**
     * The engine refused a step that produced a NaN or an infinity and paused at the last finite step: the run
     * stays resumable (PAUSED, not FAILED), the chart keeps only finite points, and the status bar says why.
     */
    @Override
    public void stoppedNonFinite(NonFiniteException why) {
        pausedBefore(why.failedStep(), why.lastGoodStep(), why.getMessage(), RefusedStep.nonFinite(why));
    }

    /** A step ran out of memory; the engine paused at the step before it, intact, and says what to lower. */
    @Override
    public void stoppedOutOfMemory(RunOutOfMemoryException why) {
        pausedBefore(why.failedStep(), why.lastGoodStep(), why.getMessage(), RefusedStep.outOfMemory(why));
    }

    /** The engine refused step {@code failed} and kept step {@code kept}: paused there, resumable, saying why. */
    private void pausedBefore(int failed, int kept, String warningText, String what) {
        chart.flush();
        halt();
        resumable.set(true);
        progress.at(kept, progress.totalStepsProperty().get(), false);
        progress.halted(kept);
        warning.set(warningText);
        message.set("paused at step " + kept + ": step " + failed + " " + what);
    }

    @Override
    public void failed(String msg) {
        halt();
        gate.stopOpening();
        error.set(msg);
        message.set(msg);
    }

    // ---- Properties ----

    public ObjectBinding<RunState> stateProperty() {
        return state;
    }

    public RunState getState() {
        return state.get();
    }

    /** @return the FAILED message, or null */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** @return why the run paused itself at a step that went bad (NaN, infinity), or null; cleared by the next run */
    public ReadOnlyStringProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** @return the models in use and whether they are ready */
    public EngineInfo engine() {
        return engine;
    }

    /** @return what reaches the run between its steps: mask, paint, learning rate, select by text, its state */
    public LiveRun live() {
        return live;
    }

    /** @return the step, progress bar, rate and time left */
    public RunProgress progress() {
        return progress;
    }

    /** @return the loss chart (one series per branch), fed by this run's steps */
    public LossChart chart() {
        return chart;
    }

    public BooleanBinding canStartProperty() {
        return Bindings.createBooleanBinding(() -> state.get() != RunState.RUNNING && state.get() != RunState.PAUSING
                && state.get() != RunState.LOADING, state);
    }
}
