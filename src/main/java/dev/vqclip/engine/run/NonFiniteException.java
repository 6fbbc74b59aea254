package dev.vqclip.engine.run;

/**
 * A step produced a NaN or an infinity (in the loss, the gradient of z, or z and Adam's moments after the update).
 * The run that throws it has not kept anything of that step: z, the moments and the step counter are those of
 * {@link #lastGoodStep()}, so it can be saved, inspected or resumed (with other settings) from there.
 */
public final class NonFiniteException extends StepFailureException {
    private static final long serialVersionUID = 1L;

    private final String quantity;

    /**
     * @param failedStep the step that went bad (1 for the first step)
     * @param lastGoodStep the step the run is back at
     * @param quantity what went bad, in words, e.g. "the loss is NaN"
     * @param detail what else was seen, e.g. "gradient of z: NaN in 4,096 of 4,096 values", or empty
     */
    public NonFiniteException(int failedStep, int lastGoodStep, String quantity, String detail) {
        super("step " + failedStep + ": " + quantity + (detail.isEmpty() ? "" : " (" + detail + ")")
                + "; the run stopped at step " + lastGoodStep + ", its last finite state", failedStep, lastGoodStep);
        this.quantity = quantity;
    }

    /** @return what went bad, e.g. "the loss is NaN" */
    public String quantity() {
        return quantity;
    }
}
