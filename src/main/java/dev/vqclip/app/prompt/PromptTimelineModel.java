package dev.vqclip.app.prompt;

import dev.vqclip.engine.guide.PromptSpan;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableIntegerValue;

/**
 * The prompt timeline's state and drag math: each prompt row's span as a bar over the run's planned steps, and a drag
 * of a bar's start, end or middle that becomes one span edit of the row on release (so it is one undo step and
 * reaches a running run like any prompt edit). Positions are pixels along the track, 0 at step 0 and
 * {@link #trackWidthProperty()} at the planned steps; a span without an end runs to the track's end. UI thread only.
 */
public final class PromptTimelineModel {
    /** What a drag moves. */
    public enum Handle { START, END, MOVE }

    /** A drag in progress: the row, what it moves, where it started and the span it would set now. */
    public record Drag(PromptRowViewModel row, Handle handle, double startX, PromptSpan original, PromptSpan preview) {
    }

    /** Pixels either side of a bar's end that grab the end rather than the bar. */
    public static final double GRIP_PX = 6;
    private static final String[] PALETTE = {"#4c8bf5", "#e8710a", "#1e8e3e", "#a142f4", "#d93025", "#12b5cb"};
    private final PromptViewModel prompts;
    private final ObservableIntegerValue plannedSteps;
    private final ObservableIntegerValue currentStep;
    private final DoubleProperty trackWidth = new SimpleDoubleProperty(400);
    private final ObjectProperty<Drag> drag = new SimpleObjectProperty<>();

    /**
     * @param plannedSteps the steps of the run (or of the next one): the track's length
     * @param currentStep the steps taken, for the marker
     */
    public PromptTimelineModel(PromptViewModel prompts, ObservableIntegerValue plannedSteps,
                               ObservableIntegerValue currentStep) {
        this.prompts = prompts;
        this.plannedSteps = plannedSteps;
        this.currentStep = currentStep;
    }

    /** @return the colour of the prompt row at {@code index} (its swatch in the prompt list and its bar) */
    public static String colour(int index) {
        return PALETTE[Math.floorMod(index, PALETTE.length)];
    }

    /** @return the steps the track spans: the planned steps, at least 1 */
    public int horizon() {
        return Math.max(1, plannedSteps.get());
    }

    /** @return the pixel of step {@code step} on the track (steps past the horizon sit at its end) */
    public double xOf(int step) {
        return trackWidth.get() * Math.min(step, horizon()) / (double) horizon();
    }

    /** @return the step nearest to pixel {@code x}, clamped to 0..horizon */
    public int stepAt(double x) {
        double w = Math.max(1, trackWidth.get());
        return (int) Math.max(0, Math.min(horizon(), Math.round(x / w * horizon())));
    }

    /** @return the bar's end pixel: its until, or the track's end for a span without an end */
    public double endX(PromptSpan s) {
        return s.until() == PromptSpan.OPEN ? trackWidth.get() : xOf(s.until());
    }

    /** @return what a press at pixel {@code x} on a bar grabs, or null when it misses the bar */
    public Handle hit(PromptSpan s, double x) {
        double a = xOf(s.from());
        double b = endX(s);
        if (Math.abs(x - b) <= GRIP_PX && x >= a + (b - a) / 2) {
            return Handle.END;
        }
        if (Math.abs(x - a) <= GRIP_PX) {
            return Handle.START;
        }
        return x > a && x < b ? Handle.MOVE : null;
    }

    /** Starts a drag of a row's bar; a press that misses the bar starts nothing. @return whether a drag started */
    public boolean press(PromptRowViewModel row, double x) {
        PromptSpan s = row.spanProperty().get();
        Handle h = hit(s, x);
        if (h == null) {
            return false;
        }
        drag.set(new Drag(row, h, x, s, s));
        return true;
    }

    /** Moves the drag to pixel {@code x}: the bar shows the span it would set (the row is not changed yet). */
    public void drag(double x) {
        Drag d = drag.get();
        if (d != null) {
            int delta = stepAt(x) - stepAt(d.startX());
            drag.set(new Drag(d.row(), d.handle(), d.startX(), d.original(), moved(d.original(), d.handle(), delta,
                    horizon())));
        }
    }

    /** Ends the drag at pixel {@code x}: the row's span becomes the one shown (one edit, when it changed). */
    public void release(double x) {
        drag(x);
        Drag d = drag.get();
        drag.set(null);
        if (d != null && !d.preview().equals(d.original()) && prompts.rows().contains(d.row())) {
            d.row().spanProperty().set(d.preview());
        }
    }

    /** Drops the drag without changing the row (Esc). */
    public void cancel() {
        drag.set(null);
    }

    /**
     * The span a drag makes. Ends stay on the track: the start stays at or after step 0 and before the end, the end
     * after the start; an end dragged to the track's end (the planned steps) or past it leaves the span open-ended,
     * as does moving an open-ended span. The ramp shrinks when the span gets too short to fade in and out.
     *
     * @param delta steps the pointer moved (negative: left)
     * @param horizon the planned steps
     */
    public static PromptSpan moved(PromptSpan s, Handle h, int delta, int horizon) {
        boolean open = s.until() == PromptSpan.OPEN;
        int end = open ? Math.max(horizon, s.from() + 1) : s.until();
        int from = s.from();
        int until = end;
        switch (h) {
            case START -> from = clamp(s.from() + delta, 0, end - 1);
            case END -> until = clamp(end + delta, s.from() + 1, Math.max(horizon, s.from() + 1));
            case MOVE -> {
                int d = open ? clamp(delta, -s.from(), Math.max(0, horizon - 1 - s.from()))
                        : clamp(delta, -s.from(), Math.max(0, horizon - end));
                from = s.from() + d;
                until = end + d;
            }
        }
        boolean stillOpen = h == Handle.END ? until >= horizon : open;
        int ramp = stillOpen ? s.ramp() : Math.min(s.ramp(), (until - from) / 2);
        return new PromptSpan(from, stillOpen ? PromptSpan.OPEN : until, ramp);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** @return the span a row shows now: the drag's preview for the row being dragged, else its own */
    public PromptSpan shown(PromptRowViewModel row) {
        Drag d = drag.get();
        return d != null && d.row() == row ? d.preview() : row.spanProperty().get();
    }

    // ---- Properties ----

    public PromptViewModel prompts() {
        return prompts;
    }

    /** @return the drag in progress, or null */
    public ObjectProperty<Drag> dragProperty() {
        return drag;
    }

    /** @return the track's length in pixels (the view sets it) */
    public DoubleProperty trackWidthProperty() {
        return trackWidth;
    }

    public ObservableIntegerValue plannedStepsProperty() {
        return plannedSteps;
    }

    public ObservableIntegerValue currentStepProperty() {
        return currentStep;
    }
}
