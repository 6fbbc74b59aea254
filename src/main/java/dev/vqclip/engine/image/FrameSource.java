package dev.vqclip.engine.image;

import java.io.IOException;
import java.util.List;

/** Frames of a sequence, read one at a time (so a long animation never has to be held in memory). */
public interface FrameSource {
    /** @return how many frames there are */
    int count();

    /** @return frame {@code index}, 0-based */
    Frame frame(int index) throws IOException;

    /** Reads frame {@code index} of a sequence. */
    @FunctionalInterface
    interface Reader {
        Frame frame(int index) throws IOException;
    }

    /** @return the {@code count} frames that {@code reader} reads (each when it is asked for) */
    static FrameSource of(int count, Reader reader) {
        return new FrameSource() {
            @Override
            public int count() {
                return count;
            }

            @Override
            public Frame frame(int index) throws IOException {
                return reader.frame(index);
            }
        };
    }

    /** @return the frames of a list (held in memory already, and not changed while the source is read) */
    static FrameSource of(List<Frame> frames) {
        return of(frames.size(), frames::get);
    }
}
