package dev.vqclip.engine.run;

/**
 * A step the run refused to keep: the run that throws it holds the state of {@link #lastGoodStep()}, so it can be
 * saved, inspected or resumed from there. What went wrong is told by the subclass.
 */
public abstract sealed class StepFailureException extends RuntimeException
        permits NonFiniteException, RunOutOfMemoryException {
    private static final long serialVersionUID = 1L;

    private final int failedStep;
    private final int lastGoodStep;

    StepFailureException(String message, int failedStep, int lastGoodStep) {
        super(message);
        this.failedStep = failedStep;
        this.lastGoodStep = lastGoodStep;
    }

    /** @return the step that failed (1 for the first step) */
    public int failedStep() {
        return failedStep;
    }

    /** @return the step whose state the run kept */
    public int lastGoodStep() {
        return lastGoodStep;
    }
}
