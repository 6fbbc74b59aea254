package dev.vqclip.app.prompt;

import dev.vqclip.engine.guide.PromptSpan;
import javafx.beans.Observable;
import javafx.geometry.VPos;
import javafx.scene.Cursor;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.paint.CycleMethod;
import javafx.scene.paint.LinearGradient;
import javafx.scene.paint.Stop;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.ArrayList;
import java.util.List;

/**
 * The prompt timeline under the loss chart: one row per prompt with text (in its row's colour), a bar over the steps
 * it acts in, faded where its weight ramps, and a line at the current step. Dragging a bar's ends or the bar itself
 * edits the prompt's span ({@link PromptTimelineModel}); Esc drops a drag.
 */
public final class PromptTimeline extends Region {
    /** Width of the text column left of the track. */
    public static final double LABEL_W = 150;
    /** Height of one prompt's row. */
    public static final double ROW_H = 18;
    /** Space above the first row (for the step scale). */
    public static final double TOP = 14;
    private static final double RIGHT = 10;
    private final PromptTimelineModel m;
    private final Canvas canvas = new Canvas();

    public PromptTimeline(PromptTimelineModel m) {
        this.m = m;
        setId("promptTimeline");
        getChildren().add(canvas);
        setFocusTraversable(true);
        Tooltip.install(this, new Tooltip("When each prompt acts: drag a bar's ends to change where it starts and stops "
                + "(to the right end: no end), drag the bar to move it; Ctrl+Z undoes"));
        Observable[] redraw = {m.prompts().rows(), m.dragProperty(), m.plannedStepsProperty(),
                m.currentStepProperty(), widthProperty(), heightProperty()};
        for (Observable o : redraw) {
            o.addListener(x -> requestLayout());
        }
        addEventHandler(MouseEvent.MOUSE_MOVED, e -> setCursor(cursorAt(e.getX(), e.getY())));
        addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            requestFocus();
            PromptRowViewModel r = rowAt(e.getY());
            if (r != null && m.press(r, e.getX() - LABEL_W)) {
                e.consume();
            }
        });
        addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> m.drag(e.getX() - LABEL_W));
        addEventHandler(MouseEvent.MOUSE_RELEASED, e -> m.release(e.getX() - LABEL_W));
        setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE && m.dragProperty().get() != null) {
                m.cancel();
                e.consume();
            }
        });
    }

    /** @return the timeline's state and drag math */
    public PromptTimelineModel model() {
        return m;
    }

    /** @return the rows the timeline shows: those with text */
    public List<PromptRowViewModel> shownRows() {
        List<PromptRowViewModel> out = new ArrayList<>();
        for (PromptRowViewModel r : m.prompts().rows()) {
            if (!r.textProperty().get().isBlank()) {
                out.add(r);
            }
        }
        return out;
    }

    private PromptRowViewModel rowAt(double y) {
        int i = (int) Math.floor((y - TOP) / ROW_H);
        List<PromptRowViewModel> rows = shownRows();
        return y < TOP || i >= rows.size() ? null : rows.get(i);
    }

    private Cursor cursorAt(double x, double y) {
        PromptRowViewModel r = rowAt(y);
        PromptTimelineModel.Handle h = r == null ? null : m.hit(m.shown(r), x - LABEL_W);
        return h == null ? Cursor.DEFAULT : h == PromptTimelineModel.Handle.MOVE ? Cursor.MOVE : Cursor.H_RESIZE;
    }

    @Override
    protected double computePrefHeight(double width) {
        return TOP + ROW_H * Math.max(1, shownRows().size()) + 4;
    }

    /** The loss chart above gives way first: every prompt's row stays visible. */
    @Override
    protected double computeMinHeight(double width) {
        return computePrefHeight(width);
    }

    @Override
    protected double computeMaxHeight(double width) {
        return computePrefHeight(width);
    }

    @Override
    protected double computePrefWidth(double height) {
        return LABEL_W + 300;
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        m.trackWidthProperty().set(Math.max(1, getWidth() - LABEL_W - RIGHT));
        draw();
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        Color ink = Color.gray(0.55);
        g.setFont(Font.font(11));
        g.setTextBaseline(VPos.CENTER);
        // the step scale: 0, the middle and the planned steps
        g.setFill(ink);
        int horizon = m.horizon();
        for (int s : new int[] {0, horizon / 2, horizon}) {
            double x = LABEL_W + m.xOf(s);
            g.setTextAlign(s == 0 ? TextAlignment.LEFT : s == horizon ? TextAlignment.RIGHT : TextAlignment.CENTER);
            g.fillText(Integer.toString(s), x, TOP / 2);
        }
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText("step", 4, TOP / 2);
        List<PromptRowViewModel> rows = shownRows();
        for (int i = 0; i < rows.size(); i++) {
            PromptRowViewModel r = rows.get(i);
            double y = TOP + i * ROW_H;
            Color c = Color.web(PromptTimelineModel.colour(m.prompts().rows().indexOf(r)));
            g.setFill(c);
            g.fillText(clip(r.textProperty().get()), 4, y + ROW_H / 2, LABEL_W - 8);
            g.setStroke(ink.deriveColor(0, 1, 1, 0.4));
            g.strokeLine(LABEL_W, y + ROW_H / 2, LABEL_W + m.trackWidthProperty().get(), y + ROW_H / 2);
            bar(g, m.shown(r), c, y + 3, ROW_H - 6, r.negativeProperty().get());
        }
        double cx = LABEL_W + m.xOf(m.currentStepProperty().get());
        g.setStroke(Color.web("#d93025"));
        g.setLineWidth(2);
        g.strokeLine(cx, TOP - 2, cx, h);
        g.setLineWidth(1);
    }

    /** A span's bar, its ramps as fades from transparent; a dashed edge for a negative prompt. */
    private void bar(GraphicsContext g, PromptSpan s, Color c, double y, double hgt, boolean negative) {
        double a = LABEL_W + m.xOf(s.from());
        double b = LABEL_W + m.endX(s);
        if (b - a < 1) {
            b = a + 1;
        }
        double ramp = Math.min((b - a) / 2, m.xOf(s.ramp()));
        Color solid = c.deriveColor(0, 1, 1, 0.85);
        Color clear = c.deriveColor(0, 1, 1, 0.08);
        double inEnd = (ramp) / (b - a);
        double outStart = s.until() == PromptSpan.OPEN ? 1 : 1 - inEnd;
        g.setFill(new LinearGradient(a, 0, b, 0, false, CycleMethod.NO_CYCLE, new Stop(0, ramp > 0 ? clear : solid),
                new Stop(inEnd, solid), new Stop(outStart, solid),
                new Stop(1, ramp > 0 && s.until() != PromptSpan.OPEN ? clear : solid)));
        g.fillRoundRect(a, y, b - a, hgt, 4, 4);
        g.setStroke(c.darker());
        if (negative) {
            g.setLineDashes(3, 3);
        }
        g.strokeRoundRect(a, y, b - a, hgt, 4, 4);
        g.setLineDashes();
        // grips at the ends
        g.setFill(c.darker());
        g.fillRect(a, y + 2, 2, hgt - 4);
        if (s.until() != PromptSpan.OPEN) {
            g.fillRect(b - 2, y + 2, 2, hgt - 4);
        }
    }

    private static String clip(String text) {
        String t = text.strip().replace('\n', ' ');
        return t.length() > 24 ? t.substring(0, 23) + "…" : t;
    }
}
