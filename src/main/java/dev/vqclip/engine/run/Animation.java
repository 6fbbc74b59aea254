package dev.vqclip.engine.run;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Png;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The "zoom video" loop of VQGAN-CLIP tools: frame 0 is generated from the base request; every later frame moves the
 * previous frame's pixels by the camera transform of its index, re-encodes them with the VQGAN and optimises for a
 * few steps from there (a fresh run: new Adam moments, seed {@code seed + index}).
 *
 * <p>A frame depends only on the previous frame's 8-bit pixels, the plan and the request, so an animation stopped
 * after any frame and continued from that frame's PNG gives the same frames as one that never stopped.
 *
 * @param frames how many frames the animation has, ≥ 1
 * @param stepsPerFrame optimisation steps of each frame after the first, ≥ 1
 * @param firstSteps optimisation steps of frame 0, ≥ 1
 * @param zoom per-frame zoom about the centre, keyframed (1.02 = 2% closer every frame)
 * @param rotate per-frame rotation in degrees, keyframed
 * @param panX per-frame pan in pixels, keyframed
 * @param panY per-frame pan in pixels, keyframed
 */
public record Animation(int frames, int stepsPerFrame, int firstSteps, Keyframes zoom, Keyframes rotate,
                        Keyframes panX, Keyframes panY) {
    /** Most frames one animation may have. */
    public static final int MAX_FRAMES = 100_000;

    public Animation {
        if (frames < 1 || frames > MAX_FRAMES) {
            throw new IllegalArgumentException("frames must be 1.." + MAX_FRAMES + ", got " + frames);
        }
        if (stepsPerFrame < 1 || stepsPerFrame > 100_000) {
            throw new IllegalArgumentException("steps per frame must be 1..100000, got " + stepsPerFrame);
        }
        if (firstSteps < 1 || firstSteps > 100_000) {
            throw new IllegalArgumentException("steps of the first frame must be 1..100000, got " + firstSteps);
        }
        Objects.requireNonNull(zoom, "zoom");
        Objects.requireNonNull(rotate, "rotate");
        Objects.requireNonNull(panX, "panX");
        Objects.requireNonNull(panY, "panY");
        double[] z = zoom.range();
        if (!(z[0] > 0) || z[1] > 100) {
            throw new IllegalArgumentException("zoom must stay in (0, 100], got " + zoom.toSpec());
        }
    }

    /** @return the same plan with another frame count */
    public Animation withFrames(int n) {
        return new Animation(n, stepsPerFrame, firstSteps, zoom, rotate, panX, panY);
    }

    /** @return the camera move from frame {@code index - 1} to frame {@code index} */
    public FrameTransform moveInto(int index) {
        return new FrameTransform(zoom.at(index), rotate.at(index), panX.at(index), panY.at(index));
    }

    /** @return how many optimisation steps frame {@code index} takes */
    public int stepsOf(int index) {
        return index == 0 ? firstSteps : stepsPerFrame;
    }

    /** @return the seed of frame {@code index}'s run */
    public static long seedOf(long seed, int index) {
        return seed + index;
    }

    /**
     * @param base the request of frame 0 (its steps and seed are replaced)
     * @param movedInit the moved previous frame ({@link #writeMoved}), null for frame 0
     * @return the request of frame {@code index}'s run: its steps, its seed and, after frame 0, the moved frame as the
     *         init image. The studio starts its frame runs with this, so they are the CLI's runs.
     */
    public GenerationRequest requestOf(GenerationRequest base, int index, Path movedInit) {
        GenerationRequest r = base.withSteps(stepsOf(index)).withSeed(seedOf(base.seed(), index));
        return movedInit == null ? r : r.withInitImage(movedInit);
    }

    /**
     * Writes {@code previous} moved by frame {@code index}'s camera move as a PNG in {@code scratch} (the caller
     * deletes it once the run has read it).
     *
     * @return the file
     */
    public Path writeMoved(int index, Frame previous, Path scratch) throws IOException {
        Frame moved = moveInto(index).apply(previous);
        Path init = Files.createTempFile(scratch, ".moved-" + index + "-", ".png");
        Png.write(init, moved, Map.of());
        return init;
    }

    /** Hears each optimisation step of a frame. */
    @FunctionalInterface
    public interface Listener {
        void step(int frame, StepEvent event);
    }

    /**
     * Renders one frame.
     *
     * @param models loaded models (not owned)
     * @param base the request of frame 0 (prompts, size, seed, settings); its steps are ignored
     * @param index the frame to render
     * @param previous the 8-bit pixels of frame {@code index - 1} (null for frame 0)
     * @param scratch a folder for the moved frame's temporary file (deleted before this returns)
     * @param cancelled checked between steps
     * @return the frame, or null when cancelled before it was finished
     * @throws IOException when the moved frame cannot be written to {@code scratch}
     */
    public Frame render(RunModels models, GenerationRequest base, int index, Frame previous, Path scratch,
                        Listener listener, BooleanSupplier cancelled) throws IOException {
        if (index < 0 || index >= frames) {
            throw new IllegalArgumentException("frame " + index + " is outside 0.." + (frames - 1));
        }
        if (index > 0 && previous == null) {
            throw new IllegalArgumentException("frame " + index + " needs the frame before it");
        }
        int steps = stepsOf(index);
        Path init = null;
        try {
            if (index > 0) {
                init = writeMoved(index, previous, scratch);
            } else if (base.init() == GenerationRequest.Init.IMAGE) {
                throw new IllegalArgumentException("an animation starts from its prompts, not from an init image");
            }
            GenerationRequest r = requestOf(base, index, init);
            try (Run run = Run.start(models, r)) {
                while (run.stepCount() < steps) {
                    if (cancelled.getAsBoolean()) {
                        return null;
                    }
                    StepEvent e = run.step(false);
                    listener.step(index, e);
                }
                return run.frame();
            }
        } finally {
            if (init != null) {
                Files.deleteIfExists(init);
            }
        }
    }
}
