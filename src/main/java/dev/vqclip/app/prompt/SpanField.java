package dev.vqclip.app.prompt;

import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.guide.PromptSpan;
import javafx.beans.InvalidationListener;
import javafx.beans.WeakInvalidationListener;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;

/**
 * A prompt row's span as text ({@code FROM-UNTIL~RAMP}, empty for every step): it shows the row's span (as the
 * timeline's drags change it) and sets it on Enter or when it loses focus, the keyboard's way to edit a span. Text that
 * does not parse is marked and named in the tooltip; the row keeps its span.
 */
public final class SpanField extends TextField {
    static final String HELP = "Steps this prompt acts in: FROM-UNTIL, FROM- (no end), ~RAMP fades in and out, "
            + "e.g. 0-150~20; empty: every step. Dragging its bar on the timeline under the loss chart edits it too";
    private final InvalidationListener show = o -> show();
    /** A removed row's field must not be kept alive by the row. */
    private final WeakInvalidationListener weakShow = new WeakInvalidationListener(show);
    private PromptRowViewModel row;

    public SpanField(String id) {
        setId(id);
        setPromptText("all steps");
        setPrefColumnCount(7);
        setMinWidth(64); // a narrow side panel squeezes it rather than scrolling sideways
        setTooltip(new Tooltip(HELP));
        setOnAction(e -> commit());
        focusedProperty().addListener((o, was, now) -> {
            if (!now) {
                commit();
            }
        });
    }

    /** Shows and edits {@code r}'s span (null: none). */
    public void bind(PromptRowViewModel r) {
        if (row != null) {
            row.spanProperty().removeListener(weakShow);
        }
        row = r;
        if (r != null) {
            r.spanProperty().addListener(weakShow);
        }
        show();
    }

    private void show() {
        PromptSpan s = row == null ? PromptSpan.ALWAYS : row.spanProperty().get();
        setText(s.isAlways() ? "" : s.toSpec());
        mark(null);
    }

    private void commit() {
        if (row == null) {
            return;
        }
        try {
            PromptSpan s = PromptParser.parseSpan(getText());
            if (!s.equals(row.spanProperty().get())) {
                row.spanProperty().set(s);
            } else {
                show();
            }
        } catch (IllegalArgumentException e) {
            mark(e.getMessage());
        }
    }

    private void mark(String problem) {
        setStyle(problem == null ? "" : "-fx-border-color: -color-danger-emphasis;");
        getTooltip().setText(problem == null ? HELP : problem + " (the prompt keeps its span)");
    }
}
