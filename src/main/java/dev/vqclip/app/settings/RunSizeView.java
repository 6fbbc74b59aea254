package dev.vqclip.app.settings;

import javafx.beans.property.ObjectProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.util.converter.LongStringConverter;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;

import java.util.ArrayList;
import java.util.List;

/** The settings a run is mostly about, shown beside the prompt: size, steps and the seed with its dice. */
public final class RunSizeView extends GridPane {
    /** The bidirectional adapters must stay reachable as long as the view. */
    private final List<Object> keep = new ArrayList<>();

    public RunSizeView(SettingsViewModel vm) {
        setId("runSize");
        setHgap(6);
        setVgap(6);
        setPadding(new Insets(0));
        Spinner<Integer> w = SettingsView.intSpinner(keep, "width", vm.widthProperty(), 16, 2048, 16);
        Spinner<Integer> h = SettingsView.intSpinner(keep, "height", vm.heightProperty(), 16, 2048, 16);
        w.setPrefWidth(88);
        h.setPrefWidth(88);
        w.setTooltip(new Tooltip("Image width in pixels"));
        h.setTooltip(new Tooltip("Image height in pixels"));
        Label times = new Label("×");
        HBox size = new HBox(4, w, times, h);
        size.setAlignment(Pos.CENTER_LEFT);
        SettingsView.add(this, 0, "Size", size, "Image width × height in pixels");
        Spinner<Integer> steps = SettingsView.intSpinner(keep, "steps", vm.stepsProperty(), 1, 100_000, 50);
        steps.setPrefWidth(100);
        SettingsView.add(this, 1, "Steps", steps, "Planned number of steps");
        TextField seed = new TextField();
        seed.setId("seed");
        TextFormatter<Long> tf = new TextFormatter<>(new LongStringConverter(), vm.seedProperty().get());
        seed.setTextFormatter(tf);
        ObjectProperty<Long> seedObj = vm.seedProperty().asObject();
        keep.add(seedObj);
        tf.valueProperty().bindBidirectional(seedObj);
        Button dice = new Button(null, new FontIcon(MaterialDesignD.DICE_5));
        dice.setId("dice");
        dice.getStyleClass().addAll("button-icon", "flat");
        dice.setTooltip(new Tooltip("Roll a new random seed"));
        dice.setOnAction(e -> vm.rollSeed());
        seed.setPrefColumnCount(9);
        HBox seedBox = new HBox(4, seed, dice);
        seedBox.setAlignment(Pos.CENTER_LEFT);
        SettingsView.add(this, 2, "Seed", seedBox, "The seed: the same seed and prompts give the same image");
    }
}
