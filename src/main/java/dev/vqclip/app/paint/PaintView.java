package dev.vqclip.app.paint;

import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ColorPicker;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignB;
import org.kordamp.ikonli.materialdesign2.MaterialDesignE;
import org.kordamp.ikonli.materialdesign2.MaterialDesignH;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * The co-creation panel: brush settings, mask commands and select-by-text (for the side panel), plus
 * {@link #toolStrip} (the tool buttons, next to the canvas). Binds to a {@link PaintViewModel}; the two engine
 * commands (select, replace) are passed in.
 */
public final class PaintView extends VBox {
    /** @return the tool buttons as a vertical strip */
    public static VBox toolStrip(PaintViewModel vm) {
        ToggleGroup tools = new ToggleGroup();
        ToggleButton pan = tool(tools, vm, PaintViewModel.Tool.PAN, "toolPan", MaterialDesignH.HAND_BACK_RIGHT_OUTLINE,
                "Pan (drag to move the view)");
        ToggleButton brush = tool(tools, vm, PaintViewModel.Tool.BRUSH, "toolBrush", MaterialDesignB.BRUSH,
                "Brush (B): paint over the image while paused; the paint is written into the latent on resume");
        ToggleButton eraser = tool(tools, vm, PaintViewModel.Tool.ERASER, "toolEraser", MaterialDesignE.ERASER,
                "Eraser (E): removes paint, the image under it shows again");
        ToggleButton picker = tool(tools, vm, PaintViewModel.Tool.PICKER, "toolPicker", MaterialDesignE.EYEDROPPER,
                "Colour picker: take the brush colour from the image");
        ToggleButton select = tool(tools, vm, PaintViewModel.Tool.SELECT, "toolSelect",
                MaterialDesignS.SELECTION_DRAG, "Rectangle selection: drag, then fill it or make it the mask");
        ToggleButton mask = tool(tools, vm, PaintViewModel.Tool.MASK, "toolMask", MaterialDesignD.DOMINO_MASK,
                "Mask brush (M): paint the region the run may change (applies from the next step, also while running)");
        ToggleButton maskErase = tool(tools, vm, PaintViewModel.Tool.MASK_ERASER, "toolMaskErase",
                MaterialDesignE.ERASER_VARIANT, "Mask eraser: remove from the editable region");
        vm.toolProperty().addListener((o, a, t) -> selectToggle(tools, t));
        selectToggle(tools, vm.toolProperty().get());
        VBox strip = new VBox(4, pan, brush, eraser, picker, select, new Separator(), mask, maskErase);
        strip.setId("toolStrip");
        strip.setStyle("-fx-padding: 6 4 6 4;");
        return strip;
    }

    public PaintView(PaintViewModel vm, Runnable selectByText, Runnable replaceWith) {
        setId("paintTools");
        setSpacing(6);

        Slider size = slider("brushSize", 1, 128, vm.sizeProperty(), "Brush size in image pixels");
        Slider hardness = slider("brushHardness", 0, 1, vm.hardnessProperty(), "Hardness: 1 = hard edge, 0 = soft");
        Slider opacity = slider("brushOpacity", 0.05, 1, vm.opacityProperty(), "Opacity of one stroke");
        ColorPicker colour = new ColorPicker(toColor(vm.colourProperty().get()));
        colour.setId("brushColour");
        colour.setTooltip(new Tooltip("Brush colour"));
        colour.valueProperty().addListener((o, a, c) -> vm.colourProperty().set(toArgb(c)));
        vm.colourProperty().addListener((o, a, c) -> colour.setValue(toColor(c.intValue())));
        Button fill = button("fillSelection", "Fill", "Fill the rectangle selection with the brush colour",
                vm::fillSelection);
        Button clearPaint = button("clearPaint", "Clear paint", "Remove all paint not yet handed to the run",
                vm::clearPaint);

        Button invert = button("invertMask", "Invert", "Swap editable and kept cells of the mask", vm::invertMask);
        Button clearMask = button("clearMask", "Clear mask", "Remove the mask: everything may change",
                vm::clearMask);
        Button maskSel = button("maskSelection", "Mask selection", "Make the rectangle selection editable",
                vm::maskSelection);
        Spinner<Integer> feather = new Spinner<>(0, 4, vm.featherProperty().get());
        feather.setId("feather");
        feather.setPrefWidth(64);
        feather.setTooltip(new Tooltip("Feather: soft mask edge in latent cells (values between 0 and 1)"));
        feather.valueProperty().addListener((o, a, v) -> vm.featherProperty().set(v));
        CheckBox keep = new CheckBox("Keep unmasked pixels");
        keep.setId("keepUnmasked");
        keep.setTooltip(new Tooltip("Frames show the original pixels outside the mask"));
        keep.selectedProperty().bindBidirectional(vm.keepUnmaskedPixelsProperty());

        FlowPane row1 = new FlowPane(6, 4, label("size"), size, label("hardness"), hardness, label("opacity"), opacity,
                colour, fill, clearPaint);
        row1.setAlignment(Pos.CENTER_LEFT);
        FlowPane row2 = new FlowPane(6, 4, invert, clearMask, maskSel, label("feather"), feather, keep);
        row2.setAlignment(Pos.CENTER_LEFT);

        TextField phrase = new TextField();
        phrase.setId("selectPhrase");
        phrase.setPromptText("select: the dog");
        phrase.setTooltip(new Tooltip("Find a thing in the image by text (CLIP self-masking)"));
        phrase.textProperty().bindBidirectional(vm.byText().selectPhrase());
        phrase.setOnAction(e -> selectByText.run());
        Button find = button("selectByText", "Select", "Score the phrase over the image and show a heat map",
                selectByText);
        Slider threshold = new Slider(-2, 3, vm.byText().threshold().get());
        threshold.setId("heatThreshold");
        threshold.setPrefWidth(90);
        threshold.setTooltip(new Tooltip("Threshold: cells scoring at least this many standard deviations above "
                + "the mean are selected"));
        threshold.valueProperty().bindBidirectional(vm.byText().threshold());
        Button accept = button("acceptHeat", "Accept", "Make the selected cells the mask", vm::acceptHeat);
        Button cancel = button("cancelHeat", "Cancel", "Hide the heat map", () -> vm.byText().heat().set(null));
        HBox heatBox = new HBox(6, label("threshold"), threshold, accept, cancel);
        heatBox.setAlignment(Pos.CENTER_LEFT);
        heatBox.visibleProperty().bind(vm.byText().heat().isNotNull());
        heatBox.managedProperty().bind(heatBox.visibleProperty());
        TextField with = new TextField();
        with.setId("replacePhrase");
        with.setPromptText("replace with: a cat");
        with.setTooltip(new Tooltip("New prompt for the selected region"));
        with.textProperty().bindBidirectional(vm.byText().replacePhrase());
        Button replace = button("replaceWith", "Replace", "Use the selection as the mask, make this the prompt "
                + "and resume", replaceWith);
        FlowPane row3 = new FlowPane(6, 4, phrase, find, heatBox, with, replace);
        hintWrap(row1, row2, row3);
        row3.setAlignment(Pos.CENTER_LEFT);
        Label hint = new Label();
        hint.setId("paintMessage");
        hint.textProperty().bind(Bindings.createStringBinding(() -> vm.messageProperty().get(),
                vm.messageProperty()));
        hint.setWrapText(true);
        getChildren().addAll(section("Brush"), row1, section("Mask"), row2, section("Select by text"), row3, hint);
    }

    private static void hintWrap(FlowPane... rows) {
        for (FlowPane r : rows) {
            r.setPrefWrapLength(280);
        }
    }

    private static Label section(String text) {
        Label l = new Label(text);
        l.setStyle("-fx-font-weight: bold;");
        return l;
    }

    private static void selectToggle(ToggleGroup g, PaintViewModel.Tool t) {
        g.getToggles().stream().filter(x -> x.getUserData() == t).findFirst().ifPresent(x -> x.setSelected(true));
    }

    private static ToggleButton tool(ToggleGroup g, PaintViewModel vm, PaintViewModel.Tool t, String id,
                                     org.kordamp.ikonli.Ikon icon, String tip) {
        ToggleButton b = new ToggleButton(null, new FontIcon(icon));
        b.setId(id);
        b.setUserData(t);
        b.setToggleGroup(g);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> {
            if (b.isSelected()) {
                vm.toolProperty().set(t);
            } else {
                b.setSelected(true); // one tool is always active
            }
        });
        return b;
    }

    private static Slider slider(String id, double min, double max, javafx.beans.property.DoubleProperty p,
                                 String tip) {
        Slider s = new Slider(min, max, p.get());
        s.setId(id);
        s.setPrefWidth(90);
        s.setTooltip(new Tooltip(tip));
        s.valueProperty().bindBidirectional(p);
        return s;
    }

    private static Button button(String id, String text, String tip, Runnable r) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> r.run());
        return b;
    }

    private static Node label(String text) {
        return new Label(text);
    }

    static Color toColor(int argb) {
        return Color.rgb((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff);
    }

    static int toArgb(Color c) {
        return 0xff000000 | (int) Math.round(c.getRed() * 255) << 16 | (int) Math.round(c.getGreen() * 255) << 8
                | (int) Math.round(c.getBlue() * 255);
    }
}
