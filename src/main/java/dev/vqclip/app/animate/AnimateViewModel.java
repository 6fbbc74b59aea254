package dev.vqclip.app.animate;

import dev.vqclip.app.core.Captured;
import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.app.run.EngineWorker;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.run.RunViewModel;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.Animation;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.session.SessionAnimation;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * An animation in the studio: a chain of ordinary runs on the engine worker, one per frame, started with the
 * engine's {@link Animation#requestOf} and {@link Animation#writeMoved} (the moved frame is written on the engine
 * thread), so a frame run can be paused at any step, painted into and masked like any run, and resumed: the next
 * frame then moves the painted, finished frame. A pause asked for while the last step of a frame runs stops at the
 * start of the next frame (its moved image on the canvas, ready to be painted). Each finished frame goes to the frame
 * strip ({@link #frames()}); the frames, the plan and the frame in progress go into the session file
 * ({@link #toSession()}).
 */
public final class AnimateViewModel {
    private final TaskExecutor executor;
    private final RunViewModel run;
    private final StudioStatus status;
    private final Supplier<GenerationRequest> baseRequest;
    private final Runnable newHistoryRoot;
    private final ObservableList<Frame> made = FXCollections.observableArrayList();
    /** One read-only view, kept: it listens to {@link #made} weakly, so a view made per call could lose listeners. */
    private final ObservableList<Frame> madeView = FXCollections.unmodifiableObservableList(made);
    private final ReadOnlyBooleanWrapper active = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final AnimationPlanFields fields;
    private final AnimationExport export;
    private Animation plan;
    private GenerationRequest base;
    private Captured lastCaptured;
    private boolean pauseAsked;
    /** Bumped by start, stop and load: a moved frame written for an older chain is not started. */
    private int chain;
    private Path scratch;

    /**
     * @param baseRequest the editor's request for frame 0, or null after it showed why there is none
     * @param newHistoryRoot begins a new history root for the animation
     * @param shownFrame the live frame the preview moves
     */
    public AnimateViewModel(TaskExecutor executor, DialogService dialogs, RunViewModel run, StudioStatus status,
                            Supplier<GenerationRequest> baseRequest, Runnable newHistoryRoot,
                            ObservableValue<Frame> shownFrame) {
        this.executor = executor;
        this.run = run;
        this.status = status;
        this.baseRequest = baseRequest;
        this.newHistoryRoot = newHistoryRoot;
        this.fields = new AnimationPlanFields(shownFrame, () -> made.size() + (active.get() ? 1 : 0), made, active);
        this.export = new AnimationExport(executor, dialogs, status, this::framesCopy);
        // the run's own Pause (Space, the toolbar) pauses the animation too
        run.stateProperty().addListener((o, was, now) -> {
            if (now == RunState.PAUSING) {
                pauseAsked = true;
            } else if (now == RunState.RUNNING) {
                pauseAsked = false;
            }
        });
    }

    // ---- Commands ----

    /** Starts a new animation from the editor's prompts and settings with the panel's plan (frames made are cleared). */
    public void start() {
        Animation a = fields.plan();
        if (a == null) {
            status.notice("animation: " + fields.errorProperty().get());
            return;
        }
        GenerationRequest b = baseRequest.get();
        if (b == null) {
            return;
        }
        if (b.init() == GenerationRequest.Init.IMAGE) {
            status.notice("an animation starts from its prompts: clear the init image first");
            return;
        }
        plan = a;
        base = b;
        made.clear();
        chain++;
        pauseAsked = false;
        active.set(true);
        newHistoryRoot.run();
        runFrame(0, null);
    }

    /** Pauses the frame run at its next step boundary. */
    public void pause() {
        pauseAsked = true;
        run.pause();
    }

    /**
     * Goes on: resumes the paused frame run (with any paint handed over), or starts the next frame when none is
     * running (an opened session saved between frames, a stopped animation, or more frames asked for).
     */
    public void resume() {
        pauseAsked = false;
        if (plan == null) {
            start();
            return;
        }
        if (active.get() && run.getState() == RunState.PAUSED) {
            run.resume();
            return;
        }
        Animation edited = fields.plan();
        if (edited != null) {
            plan = edited;
        }
        if (made.size() >= plan.frames()) {
            status.notice("the animation has all its " + plan.frames() + " frames: raise Frames to go on");
            return;
        }
        chain++;
        active.set(true);
        runFrame(made.size(), made.isEmpty() ? null : made.get(made.size() - 1));
    }

    /** Ends the animation after the current step; its frames stay (export them, or Resume to go on later). */
    public void stop() {
        chain++;
        active.set(false);
        run.stop();
        message.set(made.size() + " of " + (plan == null ? 0 : plan.frames()) + " frames (stopped)");
    }

    private void runFrame(int index, Frame previous) {
        int mine = chain;
        message.set("frame " + (index + 1) + " of " + plan.frames());
        if (index == 0) {
            run.start(plan.requestOf(base, 0, null));
            return;
        }
        Animation a = plan;
        executor.onEngine(() -> a.writeMoved(index, previous, scratch()), init -> {
            if (mine == chain) {
                GenerationRequest r = a.requestOf(base, index, init);
                if (pauseAsked) {
                    run.open(r, "frame " + (index + 1) + " moved");
                    message.set("paused at the start of frame " + (index + 1) + " of " + a.frames()
                            + ": paint, mask, then Resume");
                } else {
                    run.start(r);
                }
            }
            // queued after the run's start, which has read it by then
            executor.runOnEngine(() -> delete(init));
        }, e -> {
            active.set(false);
            status.error("animation: could not move frame " + index + ": " + e.getMessage());
        });
    }

    // ---- From the run (UI thread) ----

    /** A history point of the run: the last one before a halt is the frame it finished with. */
    public void captured(Captured c) {
        lastCaptured = c;
    }

    /** The run halted: a finished frame run adds its frame and starts the next one. */
    public void halted(EngineWorker.Halt why) {
        if (!active.get()) {
            return;
        }
        if (why == EngineWorker.Halt.STOPPED) {
            active.set(false);
            return;
        }
        int index = made.size();
        Captured c = lastCaptured;
        if (why != EngineWorker.Halt.FINISHED || c == null || !isFrameRun(c, index)) {
            return;
        }
        made.add(c.frame());
        Animation edited = fields.plan();
        if (edited != null) {
            plan = edited; // edits made while it ran apply from the next frame on
        }
        if (made.size() >= plan.frames()) {
            active.set(false);
            message.set("finished: " + made.size() + " frames");
            status.notice("animation finished: " + made.size() + " frames");
            return;
        }
        runFrame(made.size(), c.frame());
    }

    /** @return whether {@code c} is the end of frame {@code index}'s run (not of a run the user started meanwhile) */
    private boolean isFrameRun(Captured c, int index) {
        GenerationRequest r = c.snapshot().request();
        return r.seed() == Animation.seedOf(base.seed(), index) && c.snapshot().step() == plan.stepsOf(index)
                && r.width() == base.width() && r.height() == base.height();
    }

    /**
     * @return what the editor shows for a restored run {@code r}: for a frame of the active animation, frame 0's
     *         request with the run's prompts and "keep unmasked pixels" (not the frame's seed, steps and moved image,
     *         a temporary file), so a later Start makes what the editor shows; any other run as it is
     */
    public GenerationRequest editorRequest(GenerationRequest r) {
        if (!active.get() || base == null || r.seed() != Animation.seedOf(base.seed(), made.size())) {
            return r;
        }
        return base.withPrompts(r.prompts()).withKeepUnmaskedPixels(r.keepUnmaskedPixels());
    }

    // ---- Session ----

    /** @return the animation as the session file keeps it, or null when there is none */
    public SessionAnimation toSession() {
        return plan == null ? null : new SessionAnimation(plan, base, List.copyOf(made), active.get());
    }

    /** Takes an opened session's animation (null: none); the session's current run is its frame in progress. */
    public void load(SessionAnimation a) {
        chain++;
        pauseAsked = false;
        lastCaptured = null;
        made.setAll(a == null ? List.of() : a.frames());
        plan = a == null ? null : a.plan();
        base = a == null ? null : a.base();
        active.set(a != null && a.active() && !a.finished());
        if (a != null) {
            fields.show(a.plan());
            message.set(made.size() + " of " + plan.frames() + " frames" + (a.finished() ? "" : ": Resume goes on"));
        } else {
            message.set("");
        }
    }

    private List<Frame> framesCopy() {
        return List.copyOf(made);
    }

    private Path scratch() throws IOException {
        if (scratch == null || !Files.isDirectory(scratch)) {
            scratch = Files.createTempDirectory("vqclip-animation-");
            scratch.toFile().deleteOnExit();
        }
        return scratch;
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Properties ----

    /** @return the panel's fields and the preview */
    public AnimationPlanFields fields() {
        return fields;
    }

    /** @return the MP4/GIF export of the frames */
    public AnimationExport export() {
        return export;
    }

    /** @return the finished frames, in order (the frame strip) */
    public ObservableList<Frame> frames() {
        return madeView;
    }

    /** @return whether the live run is the animation's frame in progress */
    public ReadOnlyBooleanProperty activeProperty() {
        return active.getReadOnlyProperty();
    }

    /** @return e.g. "frame 3 of 24" */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }
}
