package dev.vqclip.engine.run;

import java.io.Serializable;

/**
 * A step the run refused to keep: the run that throws it holds the state of {@link #lastGoodStep()}, so it can be
 * saved, inspected or resumed from there. What went wrong is told by the subclass.
 */
public abstract sealed class StepFailureException extends RuntimeException
        permits NonFiniteException, RunOutOfMemoryException {
    private static final long serialVersionUID = 1L;

    /** The step that failed and the step whose state the run kept. */
    private record Steps(int failed, int lastGood) implements Serializable {
    }

    private final Steps steps;

    StepFailureException(String message, int failedStep, int lastGoodStep) {
        super(message);
        steps = new Steps(failedStep, lastGoodStep);
    }

    /** @return the step that failed (1 for the first step) */
    public int failedStep() {
        return steps.failed();
    }

    /** @return the step whose state the run kept */
    public int lastGoodStep() {
        return steps.lastGood();
    }
}
