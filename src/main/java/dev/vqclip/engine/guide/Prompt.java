package dev.vqclip.engine.guide;

import java.util.Locale;

/**
 * One text prompt of a run: the text, its weight (negative pushes the image away from the text), a stop distance
 * (the prompt stops pulling once the spherical distance is below it; {@code -∞} never stops) and the steps it acts
 * in (its span; {@link PromptSpan#ALWAYS} for all).
 *
 * @param text the text, never blank
 * @param weight the loss weight, finite
 * @param stop the stop distance; {@link Double#NEGATIVE_INFINITY} for none
 * @param span the steps the prompt acts in, with its fade
 */
public record Prompt(String text, double weight, double stop, PromptSpan span) {
    public Prompt {
        if (span == null) {
            throw new IllegalArgumentException("a prompt needs a span (PromptSpan.ALWAYS for every step)");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a prompt needs text");
        }
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("prompt '" + text + "': weight must be a finite number, got " + weight);
        }
        if (Double.isNaN(stop) || stop == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("prompt '" + text + "': stop must be a number or -inf, got " + stop);
        }
        text = text.strip();
    }

    public Prompt(String text, double weight, double stop) {
        this(text, weight, stop, PromptSpan.ALWAYS);
    }

    public Prompt(String text, double weight) {
        this(text, weight, Double.NEGATIVE_INFINITY);
    }

    public Prompt(String text) {
        this(text, 1.0);
    }

    /** @return the same prompt acting in {@code s} */
    public Prompt withSpan(PromptSpan s) {
        return new Prompt(text, weight, stop, s);
    }

    /** @return the prompt in the {@code text:weight[:stop][:span]} syntax that {@link PromptParser} reads back */
    public String toSpec() {
        String w = fmt(weight);
        String t = PromptParser.escapeText(text);
        String spec = stop == Double.NEGATIVE_INFINITY ? t + ":" + w : t + ":" + w + ":" + fmt(stop);
        return span.isAlways() ? spec : spec + ":" + span.toSpec();
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
