package dev.vqclip.app.run;

import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.StepEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Carries the engine thread's steps and newest frame to the UI thread in batches: however fast the steps come, at
 * most one drain is queued on the UI thread, which hands the listener every step since the last drain and only the
 * newest frame. It also decides when a step is worth decoding a frame for ({@link #setFrameIntervalMillis}).
 */
final class StepMailbox {
    private final TaskExecutor ex;
    private final EngineListener listener;
    private final ConcurrentLinkedQueue<StepEvent> pendingEvents = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Frame> pendingFrame = new AtomicReference<>();
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private volatile long frameIntervalNanos = 100_000_000L;
    /** When the step that decoded the last frame began, and when the step in progress began (engine thread only). */
    private long lastFrameNanos;
    private long stepNanos;

    StepMailbox(TaskExecutor ex, EngineListener listener) {
        this.ex = ex;
        this.listener = listener;
    }

    /** The newest frame is decoded at most this often while running (0: every step). */
    void setFrameIntervalMillis(long millis) {
        frameIntervalNanos = Math.max(0, millis) * 1_000_000L;
    }

    /** A frame was just shown (a run started or came back): the next one is due an interval from now. */
    void frameShown() {
        lastFrameNanos = System.nanoTime();
    }

    /** @return whether the step about to be taken should decode its frame */
    boolean frameDue() {
        stepNanos = System.nanoTime();
        return stepNanos - lastFrameNanos >= frameIntervalNanos;
    }

    /**
     * Sends the step asked about by {@link #frameDue()}: its frame, if it decoded one, becomes the newest; the event
     * goes without it.
     */
    void step(StepEvent ev) {
        if (ev.frame() != null) {
            lastFrameNanos = stepNanos;
            pendingFrame.set(ev.frame());
        }
        pendingEvents.add(new StepEvent(ev.step(), ev.totalSteps(), ev.promptLosses(), ev.l2Loss(), ev.totalLoss(),
                null, ev.seconds()));
        flush();
    }

    /** Sends the newest frame (a pause, a stop, the paint written into the run). */
    void frame(Frame f) {
        pendingFrame.set(f);
        flush();
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
