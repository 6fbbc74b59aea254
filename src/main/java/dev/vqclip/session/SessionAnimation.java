package dev.vqclip.session;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.Animation;
import dev.vqclip.engine.run.GenerationRequest;

import java.util.List;
import java.util.Objects;

/**
 * An animation made in the studio, as a session file keeps it: the plan, the request of frame 0 and the frames made
 * so far. The frame being made is {@code frames.size()}; while {@code active}, the session's current run is that
 * frame's run (it may be paused mid-frame, painted into or masked), so reopening and resuming goes on exactly.
 *
 * @param plan frames, steps and the camera keyframes
 * @param base the request of frame 0 (prompts, size, seed, settings)
 * @param frames the finished frames, in order
 * @param active whether the session's current run is frame {@code frames.size()}'s run
 */
public record SessionAnimation(Animation plan, GenerationRequest base, List<Frame> frames, boolean active) {
    public SessionAnimation {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(base, "base");
        frames = List.copyOf(frames);
        if (frames.size() > plan.frames()) {
            throw new IllegalArgumentException(frames.size() + " frames made but the plan has " + plan.frames());
        }
        for (Frame f : frames) {
            if (f.width() != base.width() || f.height() != base.height()) {
                throw new IllegalArgumentException("a frame of " + f.width() + "x" + f.height() + " in an animation of "
                        + base.width() + "x" + base.height());
            }
        }
    }

    /** @return whether every frame of the plan is made */
    public boolean finished() {
        return frames.size() == plan.frames();
    }
}
