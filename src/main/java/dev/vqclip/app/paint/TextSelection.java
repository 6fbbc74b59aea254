package dev.vqclip.app.paint;

import dev.vqclip.engine.guide.SelfMask;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * Select by text and "replace with": the phrases typed, the heat map the engine scored for the select phrase and the
 * threshold at which a cell counts as selected. {@link PaintViewModel#acceptHeat()} turns it into the mask.
 */
public final class TextSelection {
    private final ReadOnlyObjectWrapper<SelfMask.HeatMap> heat = new ReadOnlyObjectWrapper<>();
    private final DoubleProperty threshold = new SimpleDoubleProperty(1.0);
    private final StringProperty selectPhrase = new SimpleStringProperty("");
    private final StringProperty replacePhrase = new SimpleStringProperty("");

    /** Shows a heat map from the engine (threshold slider, then {@link PaintViewModel#acceptHeat()}). */
    public void showHeat(SelfMask.HeatMap h) {
        heat.set(h);
    }

    /** Hides the heat map. */
    public void cancelHeat() {
        heat.set(null);
    }

    public ReadOnlyObjectProperty<SelfMask.HeatMap> heatProperty() {
        return heat.getReadOnlyProperty();
    }

    /** @return the z-score at or above which a cell is selected */
    public DoubleProperty thresholdProperty() {
        return threshold;
    }

    public StringProperty selectPhraseProperty() {
        return selectPhrase;
    }

    public StringProperty replacePhraseProperty() {
        return replacePhrase;
    }
}
