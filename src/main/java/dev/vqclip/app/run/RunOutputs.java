package dev.vqclip.app.run;

import dev.vqclip.app.core.Captured;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.run.RunSnapshot;

/** Where the run's frames, new runs and snapshots go (the studio's coordinator), on the UI thread. */
public interface RunOutputs {
    void frame(Frame f, int step);

    void started(LatentGrid latentGrid, RunSnapshot state, boolean restored);

    void captured(Captured c);

    /** The run halted (after its last snapshot arrived): paused, finished or stopped. */
    default void halted(EngineWorker.Halt why) {
    }
}
