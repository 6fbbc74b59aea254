package dev.vqclip.app.prompt;

import dev.vqclip.engine.guide.PromptSpan;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One prompt row: text, weight (negative pushes away), the steps it acts in (its span, which the prompt timeline
 * edits) and the stop distance carried along unchanged.
 */
public final class PromptRowViewModel {
    /** Slider range of weights. */
    public static final double MAX_WEIGHT = 3.0;
    private final StringProperty text = new SimpleStringProperty("");
    private final DoubleProperty weight = new SimpleDoubleProperty(1.0);
    private final ObjectProperty<PromptSpan> span = new SimpleObjectProperty<>(PromptSpan.ALWAYS);
    private final double stop;
    private final BooleanBinding negative = Bindings.createBooleanBinding(() -> weight.get() < 0, weight);

    public PromptRowViewModel(String text, double weight, double stop) {
        this(text, weight, stop, PromptSpan.ALWAYS);
    }

    public PromptRowViewModel(String text, double weight, double stop, PromptSpan span) {
        this.span.set(span == null ? PromptSpan.ALWAYS : span);
        this.text.set(text == null ? "" : text);
        this.weight.set(weight);
        this.stop = stop;
    }

    public StringProperty textProperty() {
        return text;
    }

    public DoubleProperty weightProperty() {
        return weight;
    }

    /** @return the steps the prompt acts in, never null ({@link PromptSpan#ALWAYS}: every step) */
    public ObjectProperty<PromptSpan> spanProperty() {
        return span;
    }

    /** @return true when the prompt pushes the image away from its text */
    public BooleanBinding negativeProperty() {
        return negative;
    }

    public double getStop() {
        return stop;
    }
}
