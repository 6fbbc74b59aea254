package dev.vqclip.app.paint;

import dev.vqclip.engine.guide.SelfMask;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * Select by text and "replace with": the phrases typed, the heat map the engine scored for the select phrase (null:
 * none shown) and the threshold, a z-score, at or above which a cell counts as selected.
 * {@link PaintViewModel#acceptHeat()} turns the heat map into the mask.
 */
public record TextSelection(ObjectProperty<SelfMask.HeatMap> heat, DoubleProperty threshold,
                            StringProperty selectPhrase, StringProperty replacePhrase) {
    /** No heat map, threshold 1, no phrases. */
    public TextSelection() {
        this(new SimpleObjectProperty<>(), new SimpleDoubleProperty(1.0), new SimpleStringProperty(""),
                new SimpleStringProperty(""));
    }
}
