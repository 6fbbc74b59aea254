package dev.vqclip.engine.guide;

import java.util.Locale;

/**
 * One text prompt of a run: the text, its weight (negative pushes the image away from the text) and a stop distance
 * (the prompt stops pulling once the spherical distance is below it; {@code -∞} never stops).
 *
 * @param text the text, never blank
 * @param weight the loss weight, finite
 * @param stop the stop distance; {@link Double#NEGATIVE_INFINITY} for none
 */
public record Prompt(String text, double weight, double stop) {
    public Prompt {
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

    public Prompt(String text, double weight) {
        this(text, weight, Double.NEGATIVE_INFINITY);
    }

    public Prompt(String text) {
        this(text, 1.0);
    }

    /** @return the prompt in the {@code text:weight[:stop]} syntax that {@link PromptParser} reads back */
    public String toSpec() {
        String w = fmt(weight);
        String t = PromptParser.escapeText(text);
        return stop == Double.NEGATIVE_INFINITY ? t + ":" + w : t + ":" + w + ":" + fmt(stop);
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
