package dev.vqclip.engine.run;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.SelfMask;

import dev.vqclip.engine.image.Frame;
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

    /** @return the latent grid (rows, cols) and the VQGAN's downsampling factor */
    LatentGrid latentGrid();

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

    /**
     * Scores where a phrase is in the current image (CLIP self-masking, as {@code vqclip edit --replace} does): one
     * standardised score per latent cell; {@link SelfMask.HeatMap#mask(double)} turns it into a mask. The run's
     * state is not changed.
     *
     * @param phrase what to look for, e.g. "the dog"
     * @throws UnsupportedOperationException when this engine has no image-text model to score with
     * @throws IllegalArgumentException when the phrase is empty or too long for the text encoder
     */
    default SelfMask.HeatMap selfMask(String phrase) {
        throw new UnsupportedOperationException("this engine cannot select by text");
    }

    /** @return a copy of the complete state */
    RunSnapshot snapshot();

    /** Replaces the complete state (z, moments, step, mask, request) with a snapshot's. */
    void restore(RunSnapshot snapshot);

    @Override
    void close();
}
