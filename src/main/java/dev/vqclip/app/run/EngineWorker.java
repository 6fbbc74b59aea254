package dev.vqclip.app.run;

import dev.vqclip.app.core.Captured;
import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.RunFactory;
import dev.vqclip.engine.run.RunOutOfMemoryException;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.StepEvent;
import dev.vqclip.engine.run.StepFailureException;
import dev.vqclip.engine.run.SteppableRun;
import dev.vqclip.session.HistoryEntry;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The engine side of a studio session. Every method that touches the run is executed as a job on the session's
 * engine thread ({@link TaskExecutor#runOnEngine}); the step loop re-queues itself one step at a time, so commands
 * (prompt edits, snapshots, saves) run between steps in the order they were given. Pause and stop are flags read at
 * step boundaries. Results go to the {@link EngineListener} on the UI thread; step events are coalesced (see
 * {@link StepMailbox}). What reaches the run between steps (mask, paint, learning rate) comes through
 * {@link LiveRun}; the models load through {@link ModelLoader}.
 *
 * <p>Fields marked "engine thread" are only touched there. The worker owns the {@link RunFactory} and the run and
 * closes them in {@link #close()}.
 */
public final class EngineWorker {
    /** Why the loop stopped. */
    public enum Halt { PAUSED, FINISHED, STOPPED }

    private final TaskExecutor ex;
    private final EngineListener listener;
    private final StepMailbox mailbox;
    private final ModelLoader models;
    private final ConcurrentLinkedQueue<Consumer<SteppableRun>> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pauseRequested = new AtomicBoolean();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    /**
     * Bumped on the calling (UI) thread by every command that replaces what the engine is doing (start, resume,
     * step, restore, park, close). A queued loop job of an older generation exits, and results of an older
     * generation are dropped when they reach the UI, so nothing from a replaced run lands in a new session.
     */
    private final AtomicInteger generation = new AtomicInteger();
    private volatile int historyEvery = 50;

    // engine thread
    private SteppableRun run;
    private RunSnapshot parked;
    private boolean looping;
    private int loopGen;

    public EngineWorker(TaskExecutor ex, EngineProvider provider, EngineListener listener) {
        this.ex = Objects.requireNonNull(ex);
        this.listener = Objects.requireNonNull(listener);
        this.mailbox = new StepMailbox(ex, this.listener);
        this.models = new ModelLoader(ex, Objects.requireNonNull(provider), this.listener);
    }

    /** Snapshots go to history every {@code n} steps (0: only at pauses). */
    public void setHistoryEvery(int n) {
        historyEvery = Math.max(0, n);
    }

    /** The newest frame is decoded at most this often while running (0: every step). */
    public void setFrameIntervalMillis(long millis) {
        mailbox.setFrameIntervalMillis(millis);
    }

    /** Loads the models unless they are loaded. */
    public void load() {
        ex.runOnEngine(models::factory);
    }

    /** Starts a new run (replacing any run); loops until paused when {@code loop}, else takes one step. */
    public void start(GenerationRequest request, boolean loop) {
        start(request, loop, true, "start");
    }

    /**
     * Starts a new run (replacing any run) and leaves it paused at step 0 without stepping, e.g. to edit an opened
     * image before optimising; {@code label} names the history entry of step 0.
     */
    public void open(GenerationRequest request, String label) {
        start(request, false, false, label);
    }

    private void start(GenerationRequest request, boolean loop, boolean stepFirst, String label) {
        pauseRequested.set(!loop);
        stopRequested.set(false);
        int gen = generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            if (gen != generation.get() || models.factory() == null) {
                return;
            }
            closeRun();
            run = models.factory().start(request);
            parked = null;
            capture(label, announce(gen, false), gen);
            if (loop) {
                looping = true;
                loopGen = gen;
                loopStep(gen);
            } else if (stepFirst) {
                stepOnceNow(gen);
            } else {
                postIf(gen, () -> listener.halted(Halt.PAUSED, 0));
            }
        }));
    }

    /** Asks the loop to stop after the current step and record a snapshot. */
    public void pause() {
        pauseRequested.set(true);
    }

    /** Continues the current (or parked) run. */
    public void resume() {
        stopRequested.set(false);
        goOn(true);
    }

    /** Takes exactly one step while paused. */
    public void stepOnce() {
        goOn(false);
    }

    /** Continues the current (or parked) run: looping until paused, or one step. */
    private void goOn(boolean loop) {
        pauseRequested.set(!loop);
        int gen = generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            if (gen != generation.get() || !ensureRun(gen)) {
                return;
            }
            looping = loop;
            if (loop) {
                loopGen = gen;
                loopStep(gen);
            } else {
                stepOnceNow(gen);
            }
        }));
    }

    /** Ends the run: records a snapshot and frees it; "continue from here" on history goes on from there. */
    public void stop() {
        stopRequested.set(true);
        int gen = generation.get();
        ex.runOnEngine(() -> guarded(() -> {
            if (!looping && run != null && gen == generation.get()) { // a loop sees the flag and stops itself
                finishStop(gen);
            }
        }));
    }

    /**
     * Queues an edit for the run (dropped when there is none). The loop applies queued edits before each step, so
     * an edit made while a step is being computed takes effect at the very next step; when idle, the queued drain
     * job applies it.
     */
    void edit(Consumer<SteppableRun> edit) {
        commands.add(edit);
        ex.runOnEngine(() -> guarded(this::applyCommands));
    }

    private void applyCommands() {
        for (Consumer<SteppableRun> c; (c = commands.poll()) != null; ) {
            if (run != null) {
                c.accept(run);
            }
        }
    }

    /** Makes {@code snapshot} the current state (paused), for "continue from here". */
    public void restore(RunSnapshot snapshot) {
        pauseRequested.set(true);
        int gen = generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            looping = false;
            if (gen != generation.get() || models.factory() == null) {
                return;
            }
            if (run == null) {
                run = models.factory().resume(snapshot);
            } else {
                run.restore(snapshot);
            }
            parked = null;
            announce(gen, true);
            int step = run.stepCount();
            postIf(gen, () -> listener.halted(Halt.PAUSED, step));
        }));
    }

    /** Forgets the run and keeps {@code snapshot} (may be null) to resume from later (after opening a session). */
    public void park(RunSnapshot snapshot) {
        pauseRequested.set(true);
        generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            looping = false;
            closeRun();
            parked = snapshot;
        }));
    }

    /** @return the current run's state, the parked one, or null. Engine thread only. */
    RunSnapshot currentState() {
        return run != null ? run.snapshot() : parked;
    }

    /**
     * @return the run, brought back from the parked state if need be, or null when there is none. Engine thread
     *         only, between steps (no generation check: work queued right before a resume belongs to its run).
     */
    SteppableRun currentRun() {
        return ensureRun(generation.get()) ? run : null;
    }

    /** Runs {@code r} on the engine thread between steps; an exception it throws fails the run. */
    void onEngine(Runnable r) {
        ex.runOnEngine(() -> guarded(r));
    }

    /** Sends {@code f} to the UI as the newest frame. Engine thread only. */
    void showFrame(Frame f) {
        mailbox.frame(f);
    }

    /** Frees the run and the models (queued after pending work); the worker is unusable afterwards. */
    public void close() {
        stopRequested.set(true);
        generation.incrementAndGet();
        ex.runOnEngine(() -> {
            looping = false;
            closeRun();
            models.close();
        });
    }

    // ---- engine thread ----

    private void loopStep(int gen) {
        if (gen != generation.get() || run == null) {
            if (loopGen == gen) {
                looping = false;
            }
            return;
        }
        if (stopRequested.get()) {
            looping = false;
            finishStop(gen);
            return;
        }
        if (pauseRequested.get()) {
            looping = false;
            halt(gen, Halt.PAUSED, "paused at ", run.stepCount());
            return;
        }
        try {
            applyCommands();
            StepEvent ev = doStep(gen);
            if (ev.step() >= run.request().steps()) {
                looping = false;
                halt(gen, Halt.FINISHED, "finished at ", ev.step());
                return;
            }
        } catch (StepFailureException e) {
            looping = false;
            haltRefused(e, gen);
            return;
        } catch (RuntimeException e) {
            looping = false;
            fail(e);
            return;
        }
        ex.runOnEngine(() -> loopStep(gen));
    }

    /** The run refused a step (not finite, out of memory) and is at its last kept state: shown, recorded, said. */
    private void haltRefused(StepFailureException e, int gen) {
        pauseRequested.set(true);
        Frame f = run.frame();
        mailbox.frame(f);
        boolean oom = e instanceof RunOutOfMemoryException;
        capture("paused at " + run.stepCount() + " (step " + e.failedStep()
                + (oom ? " out of memory)" : " not finite)"), f, gen);
        postIf(gen, oom ? () -> listener.stoppedOutOfMemory((RunOutOfMemoryException) e)
                : () -> listener.stoppedNonFinite((NonFiniteException) e));
    }

    private void stepOnceNow(int gen) {
        applyCommands();
        StepEvent ev;
        try {
            ev = doStep(gen);
        } catch (StepFailureException e) {
            haltRefused(e, gen);
            return;
        }
        Frame f = ev.frame() != null ? ev.frame() : run.frame();
        mailbox.frame(f);
        int s = ev.step();
        postIf(gen, () -> listener.halted(Halt.PAUSED, s));
    }

    private StepEvent doStep(int gen) {
        StepEvent ev = run.step(mailbox.frameDue());
        mailbox.step(ev);
        int every = historyEvery;
        if (every > 0 && ev.step() % every == 0) {
            capture("step " + ev.step(), ev.frame() != null ? ev.frame() : run.frame(), gen);
        }
        return ev;
    }

    private void finishStop(int gen) {
        halt(gen, Halt.STOPPED, "stopped at ", run.stepCount());
        parked = run.snapshot();
        closeRun();
    }

    /** The run halted at {@code step}: shows its frame, records it in history ({@code label} + step) and says why. */
    private void halt(int gen, Halt why, String label, int step) {
        Frame f = run.frame();
        mailbox.frame(f);
        capture(label + step, f, gen);
        postIf(gen, () -> listener.halted(why, step));
    }

    private void capture(String label, Frame f, int gen) {
        Captured c = new Captured(run.snapshot(), f, Images.thumbnail(f, HistoryEntry.THUMBNAIL_SIDE), label);
        postIf(gen, () -> listener.captured(c));
    }

    /** Posts to the UI, where it runs only if no newer command has replaced generation {@code gen} meanwhile. */
    private void postIf(int gen, Runnable r) {
        ex.runOnUi(() -> {
            if (gen == generation.get()) {
                r.run();
            }
        });
    }

    private boolean ensureRun(int gen) {
        if (run != null) {
            return true;
        }
        if (parked == null || models.factory() == null) {
            return false;
        }
        run = models.factory().resume(parked);
        parked = null;
        announce(gen, true);
        return true;
    }

    /**
     * Tells the UI that a run began ({@code restored}: came back from a snapshot), with its frame and grid.
     *
     * @return the frame it showed
     */
    private Frame announce(int gen, boolean restored) {
        RunSnapshot s = run.snapshot();
        Frame f = run.frame();
        LatentGrid grid = run.latentGrid();
        mailbox.frameShown();
        postIf(gen, () -> listener.started(grid, f, s, restored));
        return f;
    }

    private void closeRun() {
        if (run != null) {
            run.close();
            run = null;
        }
    }

    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            looping = false;
            fail(e);
        }
    }

    private void fail(RuntimeException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        ex.runOnUi(() -> listener.failed(msg));
    }
}
