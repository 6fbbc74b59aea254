package dev.vqclip.app.prompt;

import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/**
 * The prompts after the first (which {@link PromptBar} shows, with the negative prompt): rows of text and weight
 * slider, rebuilt when rows are added or removed, bound otherwise.
 */
public final class PromptView extends VBox {
    /** Set on rows whose weight is negative (styled red: they push the image away). */
    public static final PseudoClass NEGATIVE = PseudoClass.getPseudoClass("negative");
    private final PromptViewModel vm;
    private final VBox rowsBox = new VBox(6);

    public PromptView(PromptViewModel vm) {
        this.vm = vm;
        setId("prompts");
        setSpacing(6);
        Label title = new Label("More prompts");
        title.setTooltip(new Tooltip("Further prompts, each with its own weight; the main prompt is at the top"));
        title.getStyleClass().add("title-4");
        Button add = new Button("Add prompt", new FontIcon(MaterialDesignP.PLUS));
        add.setId("addPrompt");
        add.setTooltip(new Tooltip("Add a prompt row (negative weights push the image away from the text)"));
        add.setOnAction(e -> {
            vm.addRow();
            TextField last = (TextField) rowsBox.lookup("#promptText" + (vm.rows().size() - 1));
            if (last != null) {
                last.requestFocus();
            }
        });
        getChildren().addAll(title, rowsBox, add);
        vm.rows().addListener((ListChangeListener<PromptRowViewModel>) c -> {
            boolean structural = false;
            while (c.next()) {
                structural |= c.wasAdded() || c.wasRemoved() || c.wasPermutated();
            }
            if (structural) {
                rebuild();
            }
        });
        rebuild();
    }

    private void rebuild() {
        rowsBox.getChildren().clear();
        for (int i = 1; i < vm.rows().size(); i++) {
            rowsBox.getChildren().add(row(vm.rows().get(i), i));
        }
    }

    /** @return a small square in the colour of row {@code i}'s bar on the prompt timeline */
    static Region swatch(int i) {
        Region r = new Region();
        r.setId("promptColour" + i);
        r.setMinSize(10, 10);
        r.setMaxSize(10, 10);
        r.setStyle("-fx-background-color: " + PromptTimelineModel.colour(i) + "; -fx-background-radius: 2;");
        Tooltip.install(r, new Tooltip("This prompt's colour on the timeline under the loss chart"));
        return r;
    }

    private HBox row(PromptRowViewModel r, int i) {
        TextField text = new TextField();
        text.setId("promptText" + i);
        text.setPromptText(i == 0 ? "describe the image, e.g. a lighthouse at dawn, watercolor" : "another prompt");
        text.textProperty().bindBidirectional(r.textProperty());
        text.setTooltip(new Tooltip("Prompt text; edits reach a running generation at its next step"));
        HBox.setHgrow(text, Priority.ALWAYS);
        text.setMinWidth(100);
        Slider weight = new Slider(-PromptRowViewModel.MAX_WEIGHT, PromptRowViewModel.MAX_WEIGHT, 1);
        weight.setId("promptWeight" + i);
        weight.setPrefWidth(80);
        weight.setMinWidth(60);
        weight.valueProperty().bindBidirectional(r.weightProperty());
        weight.setTooltip(new Tooltip("Weight: how strongly this prompt pulls (negative: pushes away)"));
        Label value = new Label();
        value.setId("promptWeightLabel" + i);
        value.setMinWidth(44);
        value.textProperty().bind(Bindings.format("%+.2f", r.weightProperty()));
        Button remove = new Button(null, new FontIcon(MaterialDesignC.CLOSE));
        remove.setId("removePrompt" + i);
        remove.getStyleClass().addAll("button-icon", "flat");
        remove.setTooltip(new Tooltip("Remove this prompt"));
        remove.setOnAction(e -> vm.removeRow(r));
        SpanField span = new SpanField("promptSpan" + i);
        span.bind(r);
        HBox row = new HBox(6, swatch(i), text, span, weight, value, remove);
        row.setAlignment(Pos.CENTER_LEFT);
        row.getStyleClass().add("prompt-row");
        Runnable style = () -> {
            boolean neg = r.negativeProperty().get();
            row.pseudoClassStateChanged(NEGATIVE, neg);
            text.setStyle(neg ? "-fx-text-fill: -color-danger-fg; -fx-border-color: -color-danger-emphasis;" : "");
            value.setStyle(neg ? "-fx-text-fill: -color-danger-fg; -fx-font-weight: bold;" : "");
        };
        r.negativeProperty().addListener(o -> style.run());
        style.run();
        return row;
    }
}
