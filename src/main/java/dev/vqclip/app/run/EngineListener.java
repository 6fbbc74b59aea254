package dev.vqclip.app.run;

import dev.vqclip.app.core.Captured;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.RunOutOfMemoryException;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.StepEvent;

import java.util.List;

/** Receives the {@link EngineWorker}'s results on the UI thread ({@link RunViewModel}). */
public interface EngineListener {
    void loading(double fraction, String message);

    void loaded(String description, boolean demo);

    void loadFailed(String message);

    /** A run began or was restored: its latent grid, current frame and request. */
    void started(LatentGrid latentGrid, Frame frame, RunSnapshot state, boolean restored);

    /** Steps since the last call, in order (their frames removed), and the newest frame or null. */
    void stepped(List<StepEvent> events, Frame latestFrame);

    void captured(Captured c);

    void halted(EngineWorker.Halt why, int step);

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
