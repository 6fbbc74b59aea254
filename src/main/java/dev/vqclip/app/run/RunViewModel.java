package dev.vqclip.app.run;

import dev.vqclip.app.core.Captured;
import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.guide.SelfMask;
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
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.chart.XYChart;

import java.util.function.Consumer;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Run controls and statistics. Commands go to the {@link EngineWorker}; its results arrive here on the UI thread
 * and become properties. {@link #stateProperty()} is derived from the facts (loading, running, resumable, error).
 */
public final class RunViewModel implements EngineWorker.Listener {
    /** Where frames, new runs and snapshots go (the session view-model). */
    public interface Outputs {
        void frame(Frame f, int step);

        void started(LatentGrid latentGrid, RunSnapshot state, boolean restored);

        void captured(Captured c);
    }

    /** Most points kept per loss series; older points are thinned out beyond this. */
    static final int MAX_POINTS = 600;

    private final EngineWorker worker;
    private final Outputs outputs;
    private final LongSupplier clock;
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper resumable = new ReadOnlyBooleanWrapper();
    /** Pause was asked for and the step in progress has not ended yet. */
    private final ReadOnlyBooleanWrapper pausing = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyIntegerWrapper step = new ReadOnlyIntegerWrapper();
    private final ReadOnlyIntegerWrapper totalSteps = new ReadOnlyIntegerWrapper();
    private final ReadOnlyDoubleWrapper itPerSec = new ReadOnlyDoubleWrapper();
    private final ReadOnlyStringWrapper eta = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper engineDescription = new ReadOnlyStringWrapper("engine not loaded");
    private final ReadOnlyBooleanWrapper demo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper engineReady = new ReadOnlyBooleanWrapper();
    private final ObservableList<XYChart.Series<Number, Number>> lossSeries = FXCollections.observableArrayList();
    /** The loss chart's series of each branch, in the order the branches were made. */
    private final java.util.Map<String, XYChart.Series<Number, Number>> seriesOfBranch =
            new java.util.LinkedHashMap<>();
    /** The branch whose series new losses join. */
    private XYChart.Series<Number, Number> currentSeries;
    private final ObjectBinding<RunState> state;
    private long lastNanos = -1;
    private long lastChartNanos = -1;
    private final List<StepEvent> pendingPoints = new java.util.ArrayList<>();
    /** The loss chart is updated at most this often while running. */
    static final long CHART_INTERVAL_NANOS = 500_000_000L;
    private int lastStep;
    private Runnable beforeResume = () -> { };
    /** True from {@link #open} until the engine has made the run (it encodes the image first). */
    private boolean opening;
    /** A resume or step asked for while opening, done once the run exists. */
    private Runnable afterOpen;
    private java.util.function.Supplier<String> resumeCheck = () -> null;
    private String lastRefusal;

    public RunViewModel(TaskExecutor executor, EngineProvider provider, Outputs outputs) {
        this(executor, provider, outputs, System::nanoTime);
    }

    /** @param clock nanoseconds, for it/s (tests pass a fake) */
    public RunViewModel(TaskExecutor executor, EngineProvider provider, Outputs outputs, LongSupplier clock) {
        this.worker = new EngineWorker(executor, provider, this);
        this.outputs = outputs;
        this.clock = clock;
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
        error.set(null);
        warning.set(null);
        pausing.set(false);
        running.set(true);
        opening = false;
        afterOpen = null;
        message.set("running");
        resetStats(request);
        worker.start(request, true);
    }

    /** Takes one step: of the paused run, or of a new run when there is none. */
    public void stepOnce(GenerationRequest requestIfNew) {
        error.set(null);
        warning.set(null);
        if (resumable.get()) {
            if (refused()) {
                return;
            }
            if (deferredWhileOpening(() -> stepOnce(null))) {
                return;
            }
            beforeResume.run();
            worker.stepOnce();
        } else if (requestIfNew != null) {
            opening = false;
            afterOpen = null;
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
        error.set(null);
        warning.set(null);
        running.set(false);
        pausing.set(false);
        resetStats(request);
        resumable.set(true);
        opening = true;
        afterOpen = null;
        message.set("paused at step 0");
        worker.open(request, label);
    }

    /**
     * Checked before a resume or a single step of the paused run (e.g. "the prompt is empty"): a non-null answer
     * refuses it, shown as the run's warning (the run stays paused).
     */
    public void setResumeCheck(java.util.function.Supplier<String> check) {
        resumeCheck = check == null ? () -> null : check;
    }

    private boolean refused() {
        String why = resumeCheck.get();
        if (why != null) {
            warning.set(why);
            lastRefusal = why;
        }
        return why != null;
    }

    /** Runs {@code r} now, or once the run being opened exists. */
    private boolean deferredWhileOpening(Runnable r) {
        if (!opening) {
            return false;
        }
        afterOpen = r;
        return true;
    }

    /** Asks the run to pause; the state is PAUSING until the step in progress has ended. */
    public void pause() {
        if (opening && afterOpen != null) { // the resume asked for while opening is called off
            afterOpen = null;
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
        beforeResume = r == null ? () -> { } : r;
    }

    public void resume() {
        if (refused()) {
            return;
        }
        if (deferredWhileOpening(this::resume)) {
            running.set(true);
            message.set("running once the image is encoded…");
            return;
        }
        beforeResume.run();
        error.set(null);
        warning.set(null);
        pausing.set(false);
        running.set(true);
        message.set("running from step " + step.get());
        lastNanos = -1;
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
        if (!prompts.isEmpty() && lastRefusal != null && lastRefusal.equals(warning.get())) {
            warning.set(null); // "the prompt is empty" no longer holds
        }
        if (!prompts.isEmpty()) {
            worker.setPrompts(prompts);
        }
    }

    public void learningRateEdited(double lr) {
        if (lr > 0) {
            worker.setLearningRate(lr);
        }
    }

    /** Makes a history snapshot the current (paused) state. */
    public void restore(RunSnapshot s) {
        error.set(null);
        warning.set(null);
        running.set(false);
        pausing.set(false);
        opening = false;
        afterOpen = null;
        worker.restore(s);
    }

    /** Drops the run, keeping {@code s} (may be null) to resume from (after opening a session). */
    public void park(RunSnapshot s) {
        running.set(false);
        pausing.set(false);
        opening = false;
        afterOpen = null;
        error.set(null);
        warning.set(null);
        resumable.set(s != null);
        worker.park(s);
        if (s != null) {
            step.set(s.step());
            totalSteps.set(s.request().steps());
            progress.set(s.request().steps() == 0 ? 0 : Math.min(1, (double) s.step() / s.request().steps()));
        }
    }

    public void setHistoryEvery(int n) {
        worker.setHistoryEvery(n);
    }

    public void setFrameIntervalMillis(long ms) {
        worker.setFrameIntervalMillis(ms);
    }

    /** Shows an error that happened outside the run (e.g. an invalid request) as the FAILED state. */
    public void showError(String msg) {
        error.set(msg);
    }

    /**
     * Sets the latent mask (null: none) from the next step on; a mask that does not fit the run's grid is ignored.
     */
    public void setMask(LatentMask mask) {
        worker.setMask(mask);
    }

    /** Switches "keep unmasked pixels" from the next step on. */
    public void setKeepUnmaskedPixels(boolean keep) {
        worker.setKeepUnmaskedPixels(keep);
    }

    /**
     * Writes the user's paint into the paused run before anything queued after it.
     *
     * @param edited a copy owned by the engine from now on
     * @param onApplied gets the number of rewritten latent cells, on the UI thread
     */
    public void applyPaint(Frame edited, boolean[] painted, Consumer<Integer> onApplied) {
        worker.applyPaint(edited, painted, onApplied);
    }

    /** Scores {@code phrase} over the run's image between steps; the heat map or the error arrives on the UI thread. */
    public void selectByText(String phrase, Consumer<SelfMask.HeatMap> onSuccess, Consumer<Exception> onFailure) {
        worker.selfMask(phrase, onSuccess, onFailure);
    }

    /** Work on the run's state on the engine thread (e.g. writing it to a file). */
    @FunctionalInterface
    public interface StateWork<T> {
        /** @param current the current run's state, the parked one, or null when there is none */
        T apply(RunSnapshot current) throws Exception;
    }

    /**
     * Runs {@code work} with the run's state on the engine thread between steps; the result or the error arrives on
     * the UI thread. Saving a session goes this way: the state is the one of the step the save was asked after.
     */
    public <T> void withState(StateWork<T> work, Consumer<T> onSuccess, Consumer<Exception> onFailure) {
        worker.background(() -> work.apply(worker.currentState()), onSuccess, onFailure);
    }

    public void close() {
        worker.close();
    }

    private void resetStats(GenerationRequest r) {
        pendingPoints.clear();
        lastChartNanos = -1;
        step.set(0);
        totalSteps.set(r.steps());
        progress.set(0);
        itPerSec.set(0);
        eta.set("");
        lastNanos = -1;
        lastStep = 0;
    }

    // ---- Loss chart: one series per branch ----

    /**
     * Makes {@code branchId} the branch whose series the next losses join (its series is made when new). Losses
     * still waiting for the chart belong to the branch before and go to its series first.
     *
     * @param name what the chart calls the branch, e.g. "b2 from step 40"
     * @param fromBranch the branch it grows from, or null for a new root
     * @param fromStep the step it grows from: the parent's point at that step starts the new series, so the chart
     *        shows where it branched off
     */
    public void chartBranch(String branchId, String name, String fromBranch, int fromStep) {
        flushChart();
        XYChart.Series<Number, Number> s = seriesOfBranch.get(branchId);
        if (s == null) {
            s = new XYChart.Series<>();
            s.setName(name == null ? branchId : name);
            XYChart.Series<Number, Number> parent = fromBranch == null ? null : seriesOfBranch.get(fromBranch);
            if (parent != null) {
                for (XYChart.Data<Number, Number> d : parent.getData()) {
                    if (d.getXValue().intValue() == fromStep) {
                        s.getData().add(new XYChart.Data<>(fromStep, d.getYValue()));
                    }
                }
            }
            seriesOfBranch.put(branchId, s);
            if (!s.getData().isEmpty()) {
                lossSeries.add(s); // else with its first point: the legend names no branch without losses
            }
        }
        currentSeries = s;
    }

    /** Empties the loss chart (a new session). */
    public void clearChart() {
        pendingPoints.clear();
        seriesOfBranch.clear();
        lossSeries.clear();
        currentSeries = null;
    }

    /** @return the chart's curves, one per branch with losses in the order they were made, for saving */
    public List<dev.vqclip.session.SessionData.LossCurve> lossCurves() {
        flushChart();
        List<dev.vqclip.session.SessionData.LossCurve> out = new java.util.ArrayList<>();
        seriesOfBranch.forEach((id, s) -> {
            if (s.getData().isEmpty()) {
                return;
            }
            int[] x = new int[s.getData().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = s.getData().get(i).getXValue().intValue();
                y[i] = s.getData().get(i).getYValue().doubleValue();
            }
            out.add(new dev.vqclip.session.SessionData.LossCurve(id, s.getName(), x, y));
        });
        return out;
    }

    /** Replaces the chart with saved curves (opening a session); {@link #chartBranch} then picks the current one. */
    public void setLossCurves(List<dev.vqclip.session.SessionData.LossCurve> curves) {
        clearChart();
        for (var c : curves) {
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName(c.name());
            List<XYChart.Data<Number, Number>> points = new java.util.ArrayList<>();
            for (int i = 0; i < c.steps().length; i++) {
                if (Double.isFinite(c.values()[i])) {
                    points.add(new XYChart.Data<>(c.steps()[i], c.values()[i]));
                }
            }
            s.getData().setAll(points);
            seriesOfBranch.put(c.branchId(), s);
            if (!points.isEmpty()) {
                lossSeries.add(s);
            }
        }
    }

    // ---- Engine results (UI thread) ----

    @Override
    public void loading(double fraction, String msg) {
        loading.set(true);
        progress.set(fraction);
        message.set(msg);
    }

    @Override
    public void loaded(String description, boolean isDemo) {
        loading.set(false);
        engineReady.set(true);
        engineDescription.set(description);
        demo.set(isDemo);
        progress.set(0);
        message.set("engine ready");
    }

    @Override
    public void loadFailed(String msg) {
        loading.set(false);
        running.set(false);
        pausing.set(false);
        engineReady.set(false);
        engineDescription.set("no engine");
        error.set(msg);
        message.set(msg);
        progress.set(0);
    }

    @Override
    public void started(LatentGrid latentGrid, Frame frame, RunSnapshot s, boolean restored) {
        resumable.set(true);
        step.set(s.step());
        totalSteps.set(s.request().steps());
        lastStep = s.step();
        outputs.started(latentGrid, s, restored);
        outputs.frame(frame, s.step());
    }

    @Override
    public void stepped(List<StepEvent> events, Frame latest) {
        pendingPoints.addAll(events);
        long t = clock.getAsLong();
        if (lastChartNanos < 0 || t - lastChartNanos >= CHART_INTERVAL_NANOS) {
            flushChart();
            lastChartNanos = t;
        }
        if (!events.isEmpty()) {
            StepEvent last = events.get(events.size() - 1);
            long now = clock.getAsLong();
            if (lastNanos >= 0 && now > lastNanos && last.step() > lastStep) {
                double rate = (last.step() - lastStep) / ((now - lastNanos) / 1e9);
                itPerSec.set(itPerSec.get() == 0 ? rate : 0.7 * itPerSec.get() + 0.3 * rate);
            } else if (itPerSec.get() == 0 && last.seconds() > 0) {
                itPerSec.set(1.0 / last.seconds());
            }
            lastNanos = now;
            lastStep = last.step();
            step.set(last.step());
            totalSteps.set(last.totalSteps());
            progress.set(last.totalSteps() == 0 ? 0 : Math.min(1.0, (double) last.step() / last.totalSteps()));
            eta.set(formatEta(last.totalSteps() - last.step(), itPerSec.get()));
        }
        if (latest != null) {
            outputs.frame(latest, step.get());
        }
    }

    @Override
    public void captured(Captured c) {
        outputs.captured(c);
    }

    @Override
    public void halted(EngineWorker.Halt why, int atStep) {
        flushChart();
        running.set(false);
        pausing.set(false);
        resumable.set(why != EngineWorker.Halt.STOPPED);
        step.set(atStep);
        message.set(switch (why) {
            case PAUSED -> "paused at step " + atStep;
            case FINISHED -> "finished at step " + atStep;
            case STOPPED -> "stopped at step " + atStep;
        });
        eta.set("");
        if (opening) { // the opened image's run exists now: do what was asked meanwhile
            opening = false;
            Runnable r = afterOpen;
            afterOpen = null;
            if (r != null) {
                r.run();
            }
        }
    }

    /**
     * The engine refused a step that produced a NaN or an infinity and paused at the last finite step: the run
     * stays resumable (PAUSED, not FAILED), the chart keeps only finite points, and the status bar says why.
     */
    @Override
    public void stoppedNonFinite(NonFiniteException why) {
        pausedBefore(why.failedStep(), why.lastGoodStep(), why.getMessage(), "gave " + plain(why.quantity())
                + " and was not kept; try a lower learning rate or other prompts");
    }

    /** The engine refused step {@code failed} and kept step {@code kept}: paused there, resumable, saying why. */
    private void pausedBefore(int failed, int kept, String warningText, String what) {
        flushChart();
        running.set(false);
        pausing.set(false);
        resumable.set(true);
        step.set(kept);
        lastStep = kept;
        eta.set("");
        warning.set(warningText);
        message.set("paused at step " + kept + ": step " + failed + " " + what);
    }

    /**
     * A step ran out of memory and the engine paused at the step before it, intact: resumable (PAUSED), with what to
     * lower in the status bar.
     */
    @Override
    public void stoppedOutOfMemory(RunOutOfMemoryException why) {
        pausedBefore(why.failedStep(), why.lastGoodStep(), why.getMessage(), "ran out of memory and was not kept; "
                + why.advice());
    }

    /** "the loss is NaN" → "a loss that is not a number (NaN)", for the status bar. */
    private static String plain(String quantity) {
        if (quantity.startsWith("the loss")) {
            return quantity.contains("NaN") ? "a loss that is not a number (NaN)" : "an infinite loss";
        }
        if (quantity.startsWith("the gradient")) {
            return "a gradient that is not a number or infinite";
        }
        return "an image state that is not a number or infinite";
    }

    @Override
    public void failed(String msg) {
        running.set(false);
        pausing.set(false);
        opening = false;
        afterOpen = null;
        error.set(msg);
        message.set(msg);
    }

    /**
     * Adds the pending points to the current branch's series (a chart re-layout per step would cost the UI thread
     * too much). Each point is the step's total loss, the sum that was minimised.
     */
    private void flushChart() {
        if (currentSeries == null && !pendingPoints.isEmpty()) {
            chartBranch("b1", "b1", null, -1);
        }
        for (StepEvent e : pendingPoints) {
            addPoint(currentSeries, e.step(), e.totalLoss());
        }
        pendingPoints.clear();
        if (currentSeries != null && !currentSeries.getData().isEmpty() && !lossSeries.contains(currentSeries)) {
            lossSeries.add(currentSeries);
        }
    }

    private static void addPoint(XYChart.Series<Number, Number> s, int x, double y) {
        if (!Double.isFinite(y)) {
            return; // a chart must never show a NaN loss as if it were a value (engines refuse such steps)
        }
        ObservableList<XYChart.Data<Number, Number>> d = s.getData();
        if (d.size() >= MAX_POINTS) {
            // keep the curve's shape: drop every other point of the older half
            List<XYChart.Data<Number, Number>> keep = new java.util.ArrayList<>();
            for (int i = 0; i < d.size(); i++) {
                if (i >= d.size() / 2 || i % 2 == 0) {
                    keep.add(d.get(i));
                }
            }
            d.setAll(keep);
        }
        d.add(new XYChart.Data<>(x, y));
    }

    static String formatEta(int remaining, double rate) {
        if (remaining <= 0 || rate <= 0) {
            return "";
        }
        long s = Math.round(remaining / rate);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
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

    /**
     * @return why the run paused by itself at a step that went bad (a NaN or an infinity), or null; cleared by the
     *     next start, resume, step or restore
     */
    public ReadOnlyStringProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** @return 0..1, or -1 while loading with unknown progress */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty stepProperty() {
        return step.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty totalStepsProperty() {
        return totalSteps.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty itPerSecProperty() {
        return itPerSec.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty etaProperty() {
        return eta.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty engineDescriptionProperty() {
        return engineDescription.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty demoProperty() {
        return demo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty engineReadyProperty() {
        return engineReady.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ObservableList<XYChart.Series<Number, Number>> lossSeries() {
        return lossSeries;
    }

    public BooleanBinding canStartProperty() {
        return Bindings.createBooleanBinding(() -> state.get() != RunState.RUNNING && state.get() != RunState.PAUSING
                && state.get() != RunState.LOADING, state);
    }
}
