package dev.vqclip.engine.run;

import dev.vqclip.engine.guide.Prompt;

import java.util.List;

/**
 * A run you can step, pause, inspect, edit, snapshot and restore. All calls must come from one thread (the engine
 * thread); edits take effect at the next {@link #step}. Implementations own native memory: {@link #close()} frees it.
 */
public interface SteppableRun extends AutoCloseable {
    /** @return the request as it is now (prompts and settings after edits) */
    GenerationRequest request();

    /** @return steps taken so far */
    int stepCount();

    /** @return the latent grid (rows, cols) and the VQGAN's downsampling factor, as {rows, cols, factor} */
    int[] latentGrid();

    /**
     * Does one optimisation step.
     *
     * @param withFrame also decode and return the frame after the step
     */
    StepEvent step(boolean withFrame);

    /** @return the image of the current z */
    Frame frame();

    /** Replaces the prompts from the next step on. */
    void setPrompts(List<Prompt> prompts);

    /** Changes Adam's learning rate from the next step on. */
    void setLearningRate(double lr);

    /** Sets the latent mask (null: everything may change) from the next step on. */
    void setMask(LatentMask mask);

    /**
     * Writes the user's paint into z: the latent cells covered by painted pixels get the VQGAN encoding of
     * {@code edited} there; the rest of z and Adam's moments are kept.
     *
     * @param edited the current frame with the user's paint on it (same size as the run's frames)
     * @param painted {@code width * height} flags, true where the user painted
     * @return how many latent cells were rewritten
     */
    int applyPaint(Frame edited, boolean[] painted);

    /** @return a copy of the complete state */
    RunSnapshot snapshot();

    /** Replaces the complete state (z, moments, step, mask, request) with a snapshot's. */
    void restore(RunSnapshot snapshot);

    @Override
    void close();
}
