package dev.vqclip.engine.guide;

/**
 * When a prompt acts during a run ("story mode"): from step {@code from} until step {@code until}, counted as steps
 * already taken, so the prompt guides the steps numbered {@code from + 1 .. until}. Within its span its weight can
 * ramp: it grows linearly from 0 over the first {@code ramp} steps and, for a span with an end, falls to 0 over the
 * last {@code ramp}, so consecutive prompts can cross-fade.
 *
 * <p>Syntax (the last {@code :} part of a prompt): {@code FROM-UNTIL}, {@code FROM-} (no end), either followed by
 * {@code ~RAMP}; e.g. {@code "a forest:0-150~20 | a burning forest:1.5:130-300~20 | ashes:280-"}.
 *
 * @param from steps taken before the prompt starts acting, ≥ 0
 * @param until steps taken when it stops acting (&gt; from), or {@link #OPEN} for never
 * @param ramp steps of linear fade in (and out, with an end), ≥ 0
 */
public record PromptSpan(int from, int until, int ramp) {
    /** {@code until} of a span without an end. */
    public static final int OPEN = Integer.MAX_VALUE;
    /** Acts at every step: a prompt without a span. */
    public static final PromptSpan ALWAYS = new PromptSpan(0, OPEN, 0);

    public PromptSpan {
        if (from < 0) {
            throw new IllegalArgumentException("a prompt's span cannot start before step 0, got " + from);
        }
        if (until <= from) {
            throw new IllegalArgumentException("a prompt's span must end after it starts, got " + from + "-" + until);
        }
        if (ramp < 0) {
            throw new IllegalArgumentException("a prompt's ramp must be ≥ 0 steps, got " + ramp);
        }
        if (until != OPEN && 2L * ramp > (long) until - from) {
            throw new IllegalArgumentException("ramp " + ramp + " does not fit twice into the span " + from + "-"
                    + until + " (fade in and fade out)");
        }
    }

    /**
     * @param taken steps taken before the step being computed
     * @return the factor of the prompt's weight at that step, 0..1 (0 outside the span)
     */
    public double factor(int taken) {
        if (taken < from || taken >= until) {
            return 0;
        }
        double f = 1;
        if (ramp > 0) {
            f = Math.min(f, (taken - from + 1) / (double) ramp);
            if (until != OPEN) {
                f = Math.min(f, (until - taken) / (double) ramp);
            }
        }
        return f;
    }

    /** @return whether the span covers every step with full weight */
    public boolean isAlways() {
        return from == 0 && until == OPEN && ramp == 0;
    }

    /** @return {@code FROM-UNTIL[~RAMP]} as {@link PromptParser} reads it */
    public String toSpec() {
        return from + "-" + (until == OPEN ? "" : Integer.toString(until)) + (ramp > 0 ? "~" + ramp : "");
    }
}
