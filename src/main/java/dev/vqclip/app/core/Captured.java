package dev.vqclip.app.core;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.RunSnapshot;

/**
 * A history point captured on the engine thread: the run hands it to the history (neither imports the other).
 *
 * @param snapshot the run state
 * @param frame the image of that state
 * @param thumbnail a small copy of the frame
 * @param label what happened ("step 50", "paused at 73")
 */
public record Captured(RunSnapshot snapshot, Frame frame, Frame thumbnail, String label) {
}
