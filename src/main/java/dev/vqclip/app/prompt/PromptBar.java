package dev.vqclip.app.prompt;

import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;

/**
 * The prompt area across the top of the window: the main prompt (the first row) and the negative prompt as wrapping
 * text areas that grow with their text, and beside them whatever the window puts there (size, steps and seed).
 * Ctrl+Enter in either starts a generation.
 */
public final class PromptBar extends HBox {
    /** Text areas grow to this many lines, then scroll. */
    static final int MAX_ROWS = 8;
    static final int MIN_ROWS = 3;
    private final PromptViewModel vm;
    private final TextArea main = new TextArea();
    private final Slider weight = new Slider(-PromptRowViewModel.MAX_WEIGHT, PromptRowViewModel.MAX_WEIGHT, 1);
    private final SpanField span = new SpanField("promptSpan0");
    private PromptRowViewModel bound;

    /**
     * @param beside shown right of the prompts (e.g. size, steps, seed)
     * @param generate what Ctrl+Enter does
     * @param canGenerate whether a generation may start now (the hint says why not)
     */
    public PromptBar(PromptViewModel vm, Node beside, Runnable generate, ObservableBooleanValue canGenerate) {
        this.vm = vm;
        setId("promptBar");
        setSpacing(12);
        setAlignment(Pos.TOP_LEFT);
        setStyle("-fx-padding: 6 8 8 8;");

        main.setId("promptText0");
        main.setWrapText(true);
        main.setPrefRowCount(MIN_ROWS);
        main.setPromptText("Describe the image, e.g. a lighthouse at dawn, watercolor, soft light");
        main.setTooltip(new Tooltip("The prompt: what the image should show. Edits reach a running generation at its "
                + "next step. Ctrl+Enter generates."));
        Label title = new Label("Prompt");
        title.getStyleClass().add("title-4");
        weight.setId("promptWeight0");
        weight.setPrefWidth(90);
        weight.setTooltip(new Tooltip("Weight of the prompt: how strongly it pulls"));
        Label weightValue = new Label();
        weightValue.setId("promptWeightLabel0");
        weightValue.setMinWidth(44);
        weightValue.textProperty().bind(Bindings.format("%+.2f", weight.valueProperty()));
        Label hint = new Label("Type a prompt, then Generate (Ctrl+Enter)");
        hint.setId("promptHint");
        hint.getStyleClass().add("text-muted");
        hint.visibleProperty().bind(vm.hasPositivePromptProperty().not());
        hint.managedProperty().bind(hint.visibleProperty());
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        HBox head = new HBox(6, PromptView.swatch(0), title, hint, spring, new Label("steps"), span,
                new Label("weight"), weight, weightValue);
        head.setAlignment(Pos.CENTER_LEFT);
        VBox mainBox = new VBox(4, head, main);
        HBox.setHgrow(mainBox, Priority.ALWAYS);
        mainBox.setPrefWidth(560);
        mainBox.setMinWidth(240);

        TextArea negative = new TextArea();
        negative.setId("negativePrompt");
        negative.setWrapText(true);
        negative.setPrefRowCount(MIN_ROWS);
        negative.setPromptText("What to avoid, e.g. blurry, text, watermark (one per line; word:2 pushes harder)");
        negative.setTooltip(new Tooltip("Negative prompt: each line pushes the image away from its text (a prompt "
                + "with weight −1, or −N for text:N)"));
        negative.textProperty().bindBidirectional(vm.negativeProperty());
        Label negTitle = new Label("Negative prompt");
        negTitle.getStyleClass().add("title-4");
        VBox negBox = new VBox(4, negTitle, negative);
        HBox.setHgrow(negBox, Priority.SOMETIMES);
        negBox.setPrefWidth(320);
        negBox.setMinWidth(180);

        getChildren().addAll(mainBox, negBox);
        if (beside != null) {
            getChildren().add(beside);
        }
        for (TextArea a : new TextArea[] {main, negative}) {
            a.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
                if (e.getCode() == KeyCode.ENTER && e.isShortcutDown()) {
                    e.consume();
                    if (canGenerate.get()) {
                        generate.run();
                    }
                }
            });
            a.textProperty().addListener(o -> grow(a));
            a.widthProperty().addListener(o -> grow(a));
        }
        vm.rows().addListener((ListChangeListener<PromptRowViewModel>) c -> bindFirstRow());
        bindFirstRow();
    }

    /** The first row's view-model is replaced when a session opens or an undo restores rows: bind to the new one. */
    private void bindFirstRow() {
        PromptRowViewModel first = vm.rows().isEmpty() ? null : vm.rows().get(0);
        if (first == bound) {
            return;
        }
        if (bound != null) {
            main.textProperty().unbindBidirectional(bound.textProperty());
            weight.valueProperty().unbindBidirectional(bound.weightProperty());
        }
        bound = first;
        span.bind(first);
        if (first != null) {
            main.textProperty().bindBidirectional(first.textProperty());
            weight.valueProperty().bindBidirectional(first.weightProperty());
        }
    }

    /** Sets the rows to what the wrapped text needs, between {@link #MIN_ROWS} and {@link #MAX_ROWS}. */
    private static void grow(TextArea a) {
        double w = a.getWidth() - 24; // padding and the scroll bar
        if (w <= 0) {
            return;
        }
        Text t = new Text(a.getText() == null || a.getText().isEmpty() ? "X" : a.getText());
        t.setFont(a.getFont());
        Text one = new Text("X");
        one.setFont(a.getFont());
        t.setWrappingWidth(w);
        int lines = (int) Math.ceil(t.getLayoutBounds().getHeight() / one.getLayoutBounds().getHeight() - 0.01);
        int rows = Math.max(MIN_ROWS, Math.min(MAX_ROWS, lines));
        if (a.getPrefRowCount() != rows) {
            a.setPrefRowCount(rows);
        }
    }

    /** @return the main prompt's text area */
    public TextArea mainPrompt() {
        return main;
    }
}
