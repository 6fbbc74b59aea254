package dev.vqclip.app.run;

import dev.vqclip.app.core.Captured;
import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.guide.SelfMask;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.RunOutOfMemoryException;
import dev.vqclip.engine.run.RunFactory;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.StepEvent;
import dev.vqclip.engine.run.SteppableRun;
import dev.vqclip.session.HistoryEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The engine side of a studio session. Every method that touches the run is executed as a job on the session's
 * engine thread ({@link TaskExecutor#runOnEngine}); the step loop re-queues itself one step at a time, so commands
 * (prompt edits, snapshots, saves) run between steps in the order they were given. Pause and stop are flags read at
 * step boundaries. Results go to the {@link Listener} on the UI thread; step events are coalesced: the UI gets every
 * step's losses in batches but only the newest frame, and at most one drain is queued on the UI thread at a time.
 *
 * <p>Fields marked "engine thread" are only touched there. The worker owns the {@link RunFactory} and the run and
 * closes them in {@link #close()}.
 */
public final class EngineWorker {
    /** Why the loop stopped. */
    public enum Halt { PAUSED, FINISHED, STOPPED }

    /** Receives results on the UI thread. */
    public interface Listener {
        void loading(double fraction, String message);

        void loaded(String description, boolean demo);

        void loadFailed(String message);

        /** A run began or was restored: its latent grid, current frame and request. */
        void started(LatentGrid latentGrid, Frame frame, RunSnapshot state, boolean restored);

        /** Steps since the last call, in order (their frames removed), and the newest frame or null. */
        void stepped(List<StepEvent> events, Frame latestFrame);

        void captured(Captured c);

        void halted(Halt why, int step);

        /**
         * A step produced a NaN or an infinity: the run did not keep it and is paused at its last finite state
         * ({@link NonFiniteException#lastGoodStep()}), whose frame and snapshot have already been sent.
         */
        void stoppedNonFinite(NonFiniteException why);

        /**
         * A step ran out of memory: the run kept nothing of it and is paused at {@link
         * RunOutOfMemoryException#lastGoodStep()}, whose frame and snapshot have already been sent.
         */
        void stoppedOutOfMemory(RunOutOfMemoryException why);

        void failed(String message);
    }

    private final TaskExecutor ex;
    private final EngineProvider provider;
    private final Listener listener;
    private final ConcurrentLinkedQueue<StepEvent> pendingEvents = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Frame> pendingFrame = new AtomicReference<>();
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pauseRequested = new AtomicBoolean();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    /**
     * Bumped on the calling (UI) thread by every command that replaces what the engine is doing (start, resume,
     * step, restore, park, close). A queued loop job of an older generation exits, and results of an older
     * generation are dropped when they reach the UI, so nothing from a replaced run lands in a new session.
     */
    private final java.util.concurrent.atomic.AtomicInteger generation = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int historyEvery = 50;
    private volatile long frameIntervalNanos = 100_000_000L;

    // engine thread
    private RunFactory factory;
    private SteppableRun run;
    private RunSnapshot parked;
    private boolean looping;
    private int loopGen;
    private long lastFrameNanos;

    public EngineWorker(TaskExecutor ex, EngineProvider provider, Listener listener) {
        this.ex = Objects.requireNonNull(ex);
        this.provider = Objects.requireNonNull(provider);
        this.listener = Objects.requireNonNull(listener);
    }

    /** Snapshots go to history every {@code n} steps (0: only at pauses). */
    public void setHistoryEvery(int n) {
        historyEvery = Math.max(0, n);
    }

    /** The newest frame is decoded at most this often while running (0: every step). */
    public void setFrameIntervalMillis(long millis) {
        frameIntervalNanos = Math.max(0, millis) * 1_000_000L;
    }

    /** Loads the models unless they are loaded. */
    public void load() {
        ex.runOnEngine(this::ensureFactory);
    }

    /** Starts a new run (replacing any run); loops until paused when {@code loop}, else takes one step. */
    public void start(GenerationRequest request, boolean loop) {
        start(request, loop, true, "start");
    }

    /**
     * Starts a new run (replacing any run) and leaves it paused at step 0 without stepping, e.g. to edit an opened
     * image before optimising.
     */
    public void open(GenerationRequest request) {
        open(request, "start");
    }

    /** As {@link #open(GenerationRequest)}, with {@code label} on the history entry of step 0. */
    public void open(GenerationRequest request, String label) {
        start(request, false, false, label);
    }

    private void start(GenerationRequest request, boolean loop, boolean stepFirst, String label) {
        pauseRequested.set(!loop);
        stopRequested.set(false);
        int gen = generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            if (gen != generation.get() || !ensureFactory()) {
                return;
            }
            closeRun();
            run = factory.start(request);
            parked = null;
            RunSnapshot s = run.snapshot();
            Frame f = run.frame();
            LatentGrid grid = run.latentGrid();
            lastFrameNanos = System.nanoTime();
            postIf(gen, () -> listener.started(grid, f, s, false));
            capture(label, f, gen);
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
        pauseRequested.set(false);
        stopRequested.set(false);
        int gen = generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            if (gen != generation.get() || !ensureRun(gen)) {
                return;
            }
            looping = true;
            loopGen = gen;
            loopStep(gen);
        }));
    }

    /** Takes exactly one step while paused. */
    public void stepOnce() {
        pauseRequested.set(true);
        int gen = generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            if (gen != generation.get() || !ensureRun(gen)) {
                return;
            }
            looping = false;
            stepOnceNow(gen);
        }));
    }

    /** Ends the run: records a snapshot and frees it; "continue from here" on history goes on from there. */
    public void stop() {
        stopRequested.set(true);
        int gen = generation.get();
        ex.runOnEngine(() -> guarded(() -> {
            if (looping) {
                return; // the loop sees the flag and stops itself
            }
            if (run != null && gen == generation.get()) {
                finishStop(gen);
            }
        }));
    }

    /** Replaces the prompts from the next step on. */
    public void setPrompts(List<Prompt> prompts) {
        List<Prompt> copy = List.copyOf(prompts);
        command(() -> {
            if (run != null && !copy.isEmpty()) {
                run.setPrompts(copy);
            }
        });
    }

    /**
     * Sets the latent mask (null: no mask) from the next step on. A mask that does not fit the run's grid (left over
     * from a run of another size) is ignored.
     */
    public void setMask(LatentMask mask) {
        command(() -> {
            if (run != null) {
                LatentGrid g = run.latentGrid();
                if (mask == null || (mask.rows() == g.rows() && mask.cols() == g.cols())) {
                    run.setMask(mask);
                }
            }
        });
    }

    /** Switches "keep unmasked pixels" (frames composite the original back outside the mask) from the next step. */
    public void setKeepUnmaskedPixels(boolean keep) {
        command(() -> {
            if (run != null && run.request().keepUnmaskedPixels() != keep) {
                RunSnapshot s = run.snapshot();
                run.restore(s.withRequest(s.request().withKeepUnmaskedPixels(keep)));
            }
        });
    }

    /**
     * Writes the user's paint into the paused (or parked) run before anything queued after it, via
     * {@link SteppableRun#applyPaint}. {@code onApplied} gets the number of rewritten cells on the UI thread.
     *
     * @param edited a copy owned by the engine from now on (the UI must not change it)
     */
    public void applyPaint(Frame edited, boolean[] painted, Consumer<Integer> onApplied) {
        // no generation check: the paint belongs to the run that the resume or step queued right after it continues
        ex.runOnEngine(() -> guarded(() -> {
            if (!ensureRun(generation.get())) {
                return;
            }
            int n = run.applyPaint(edited, painted);
            RunSnapshot s = run.snapshot();
            if (n > 0 && s.original() != null) {
                // "keep unmasked pixels" keeps the image as the user left it, paint included
                run.restore(s.withOriginal(s.z()));
            }
            Frame f = run.frame();
            pendingFrame.set(f);
            flush();
            post(() -> onApplied.accept(n));
        }));
    }

    /**
     * Scores a phrase over the run's current image ({@link SteppableRun#selfMask}) between steps; the result or the
     * error arrives on the UI thread.
     */
    public void selfMask(String phrase, Consumer<SelfMask.HeatMap> onSuccess, Consumer<Exception> onFailure) {
        ex.runOnEngine(() -> {
            SelfMask.HeatMap h;
            try {
                if (!ensureRun(generation.get())) {
                    throw new IllegalStateException("there is no run to select in yet");
                }
                h = run.selfMask(phrase);
            } catch (RuntimeException e) {
                ex.runOnUi(() -> onFailure.accept(e));
                return;
            }
            ex.runOnUi(() -> onSuccess.accept(h));
        });
    }

    /** Changes the learning rate from the next step on. */
    public void setLearningRate(double lr) {
        command(() -> {
            if (run != null) {
                run.setLearningRate(lr);
            }
        });
    }

    /**
     * Queues an edit for the run. The loop applies queued edits before each step, so an edit made while a step is
     * being computed takes effect at the very next step; when idle, the queued drain job applies it.
     */
    private void command(Runnable edit) {
        commands.add(edit);
        ex.runOnEngine(() -> guarded(this::applyCommands));
    }

    private void applyCommands() {
        for (Runnable c; (c = commands.poll()) != null; ) {
            c.run();
        }
    }

    /** Makes {@code snapshot} the current state (paused), for "continue from here". */
    public void restore(RunSnapshot snapshot) {
        pauseRequested.set(true);
        int gen = generation.incrementAndGet();
        ex.runOnEngine(() -> guarded(() -> {
            looping = false;
            if (gen != generation.get() || !ensureFactory()) {
                return;
            }
            if (run == null) {
                run = factory.resume(snapshot);
            } else {
                run.restore(snapshot);
            }
            parked = null;
            announceRestored(gen);
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

    /**
     * Runs {@code work} on the engine thread between steps; {@code onSuccess}/{@code onFailure} run on the UI
     * thread. Inside {@code work}, {@link #currentState()} may be called.
     */
    public <T> void background(Callable<T> work, Consumer<T> onSuccess, Consumer<Exception> onFailure) {
        ex.onEngine(work, onSuccess, onFailure);
    }

    /** @return the current run's state, the parked one, or null. Engine thread only (inside {@link #background}). */
    public RunSnapshot currentState() {
        return run != null ? run.snapshot() : parked;
    }

    /** @return e.g. the factory's description; engine thread only */
    public String engineDescription() {
        return factory == null ? "" : factory.description();
    }

    /** Frees the run and the models (queued after pending work); the worker is unusable afterwards. */
    public void close() {
        stopRequested.set(true);
        generation.incrementAndGet();
        ex.runOnEngine(() -> {
            looping = false;
            closeRun();
            if (factory != null) {
                factory.close();
                factory = null;
            }
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
            Frame f = run.frame();
            pendingFrame.set(f);
            flush();
            int step = run.stepCount();
            capture("paused at " + step, f, gen);
            postIf(gen, () -> listener.halted(Halt.PAUSED, step));
            return;
        }
        try {
            applyCommands();
            StepEvent ev = doStep(gen);
            if (ev.step() >= run.request().steps()) {
                looping = false;
                Frame f = run.frame();
                pendingFrame.set(f);
                flush();
                capture("finished at " + ev.step(), f, gen);
                int s = ev.step();
                postIf(gen, () -> listener.halted(Halt.FINISHED, s));
                return;
            }
        } catch (NonFiniteException e) {
            looping = false;
            haltNonFinite(e, gen);
            return;
        } catch (RunOutOfMemoryException e) {
            looping = false;
            haltOutOfMemory(e, gen);
            return;
        } catch (RuntimeException e) {
            looping = false;
            fail(e);
            return;
        }
        ex.runOnEngine(() -> loopStep(gen));
    }

    /** The run is back at its last finite state: show it, record it in history and say why it stopped. */
    private void haltNonFinite(NonFiniteException e, int gen) {
        haltRefused(e.failedStep() + " not finite", gen);
        postIf(gen, () -> listener.stoppedNonFinite(e));
    }

    /** Pauses at the run's kept step after a refused one: its frame shown and recorded in history. */
    private void haltRefused(String why, int gen) {
        pauseRequested.set(true);
        Frame f = run.frame();
        pendingFrame.set(f);
        flush();
        capture("paused at " + run.stepCount() + " (step " + why + ")", f, gen);
    }

    /** The run is intact at its last step: show it, record it in history and say what to lower. */
    private void haltOutOfMemory(RunOutOfMemoryException e, int gen) {
        haltRefused(e.failedStep() + " out of memory", gen);
        postIf(gen, () -> listener.stoppedOutOfMemory(e));
    }

    private void stepOnceNow(int gen) {
        applyCommands();
        StepEvent ev;
        try {
            ev = doStep(gen);
        } catch (NonFiniteException e) {
            haltNonFinite(e, gen);
            return;
        } catch (RunOutOfMemoryException e) {
            haltOutOfMemory(e, gen);
            return;
        }
        Frame f = ev.frame() != null ? ev.frame() : run.frame();
        pendingFrame.set(f);
        flush();
        int s = ev.step();
        postIf(gen, () -> listener.halted(Halt.PAUSED, s));
    }

    private StepEvent doStep(int gen) {
        long now = System.nanoTime();
        boolean withFrame = now - lastFrameNanos >= frameIntervalNanos;
        StepEvent ev = run.step(withFrame);
        if (ev.frame() != null) {
            lastFrameNanos = now;
            pendingFrame.set(ev.frame());
        }
        pendingEvents.add(new StepEvent(ev.step(), ev.totalSteps(), ev.promptLosses(), ev.l2Loss(), ev.totalLoss(),
                null, ev.seconds()));
        flush();
        int every = historyEvery;
        if (every > 0 && ev.step() % every == 0) {
            capture("step " + ev.step(), ev.frame() != null ? ev.frame() : run.frame(), gen);
        }
        return ev;
    }

    private void finishStop(int gen) {
        Frame f = run.frame();
        pendingFrame.set(f);
        flush();
        capture("stopped at " + run.stepCount(), f, gen);
        int s = run.stepCount();
        parked = run.snapshot();
        closeRun();
        postIf(gen, () -> listener.halted(Halt.STOPPED, s));
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

    private boolean ensureFactory() {
        if (factory != null) {
            return true;
        }
        post(() -> listener.loading(-1, "loading models…"));
        try {
            factory = provider.load((fraction, message) -> post(() -> listener.loading(fraction, message)));
            if (factory == null) {
                throw new IllegalStateException("the engine provider returned no engine");
            }
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            post(() -> listener.loadFailed(msg));
            return false;
        }
        String d = factory.description();
        boolean demo = factory.isDemo();
        post(() -> listener.loaded(d, demo));
        return true;
    }

    private boolean ensureRun(int gen) {
        if (run != null) {
            return true;
        }
        if (parked == null || !ensureFactory()) {
            return false;
        }
        run = factory.resume(parked);
        parked = null;
        announceRestored(gen);
        return true;
    }

    private void announceRestored(int gen) {
        RunSnapshot s = run.snapshot();
        Frame f = run.frame();
        LatentGrid grid = run.latentGrid();
        lastFrameNanos = System.nanoTime();
        postIf(gen, () -> listener.started(grid, f, s, true));
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
        post(() -> listener.failed(msg));
    }

    private void post(Runnable r) {
        ex.runOnUi(r);
    }

    /** Queues one UI drain unless one is already queued. */
    private void flush() {
        if (drainQueued.compareAndSet(false, true)) {
            ex.runOnUi(() -> {
                drainQueued.set(false);
                List<StepEvent> batch = new ArrayList<>();
                for (StepEvent e; (e = pendingEvents.poll()) != null; ) {
                    batch.add(e);
                }
                Frame f = pendingFrame.getAndSet(null);
                if (!batch.isEmpty() || f != null) {
                    listener.stepped(batch, f);
                }
            });
        }
    }
}
