package dev.vqclip.engine.image;

import java.io.IOException;
import java.util.List;

/** Frames of a sequence, read one at a time (so a long animation never has to be held in memory). */
public interface FrameSource {
    /** @return how many frames there are */
    int count();

    /** @return frame {@code index}, 0-based */
    Frame frame(int index) throws IOException;

    /** @return the frames of a list (held in memory already) */
    static FrameSource of(List<Frame> frames) {
        return new FrameSource() {
            @Override
            public int count() {
                return frames.size();
            }

            @Override
            public Frame frame(int index) {
                return frames.get(index);
            }
        };
    }
}
