package dev.vqclip.app.run;

import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.RunOutOfMemoryException;

/** What the status bar says about a step the engine refused and did not keep, and what to try instead. */
final class RefusedStep {
    private RefusedStep() {
    }

    /** @return e.g. "gave a loss that is not a number (NaN) and was not kept; try a lower learning rate or …" */
    static String nonFinite(NonFiniteException why) {
        return "gave " + plain(why.quantity()) + " and was not kept; try a lower learning rate or other prompts";
    }

    /** @return "ran out of memory and was not kept; " and what to lower */
    static String outOfMemory(RunOutOfMemoryException why) {
        return "ran out of memory and was not kept; " + why.advice();
    }

    /** "the loss is NaN" → "a loss that is not a number (NaN)", for the status bar. */
    private static String plain(String quantity) {
        if (quantity.startsWith("the loss")) {
            return quantity.contains("NaN") ? "a loss that is not a number (NaN)" : "an infinite loss";
        }
        if (quantity.startsWith("the gradient")) {
            return "a gradient that is not a number or infinite";
        }
        return "an image state that is not a number or infinite";
    }
}
