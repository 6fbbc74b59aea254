package dev.vqclip.app.prompt;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** One prompt row: text, weight (negative pushes away) and the stop distance carried along unchanged. */
public final class PromptRowViewModel {
    /** Slider range of weights. */
    public static final double MAX_WEIGHT = 3.0;
    private final StringProperty text = new SimpleStringProperty("");
    private final DoubleProperty weight = new SimpleDoubleProperty(1.0);
    private final double stop;
    private final BooleanBinding negative = Bindings.createBooleanBinding(() -> weight.get() < 0, weight);

    public PromptRowViewModel(String text, double weight, double stop) {
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

    /** @return true when the prompt pushes the image away from its text */
    public BooleanBinding negativeProperty() {
        return negative;
    }

    public double getStop() {
        return stop;
    }
}
