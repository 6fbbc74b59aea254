package dev.vqclip.engine.run;

/**
 * A step produced a NaN or an infinity (in the loss, the gradient of z, or z and Adam's moments after the update).
 * The run that throws it has not kept anything of that step: z, the moments and the step counter are those of
 * {@link #lastGoodStep()}, so it can be saved, inspected or resumed (with other settings) from there.
 */
public final class NonFiniteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int failedStep;
    private final int lastGoodStep;
    private final String quantity;

    /**
     * @param failedStep the step that went bad (1 for the first step)
     * @param lastGoodStep the step the run is back at
     * @param quantity what went bad, in words, e.g. "the loss is NaN"
     * @param detail what else was seen, e.g. "gradient of z: NaN in 4,096 of 4,096 values", or empty
     */
    public NonFiniteException(int failedStep, int lastGoodStep, String quantity, String detail) {
        super("step " + failedStep + ": " + quantity + (detail.isEmpty() ? "" : " (" + detail + ")")
                + "; the run stopped at step " + lastGoodStep + ", its last finite state");
        this.failedStep = failedStep;
        this.lastGoodStep = lastGoodStep;
        this.quantity = quantity;
    }

    /** @return the step that produced the non-finite value */
    public int failedStep() {
        return failedStep;
    }

    /** @return the step whose state the run kept */
    public int lastGoodStep() {
        return lastGoodStep;
    }

    /** @return what went bad, e.g. "the loss is NaN" */
    public String quantity() {
        return quantity;
    }
}
