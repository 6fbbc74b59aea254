package dev.vqclip.engine.image;

import java.io.IOException;

/** Frames of a sequence, read one at a time (so a long animation never has to be held in memory). */
public interface FrameSource {
    /** @return how many frames there are */
    int count();

    /** @return frame {@code index}, 0-based */
    Frame frame(int index) throws IOException;
}
