package dev.vqclip.app.settings;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;

/**
 * Run settings: cutouts, learning rate, augmentations, regularisation. Size, steps and the seed are in
 * {@link RunSizeView}, beside the prompt.
 */
public final class SettingsView extends VBox {
    /** The bidirectional adapters must stay reachable as long as the view. */
    private final List<Object> keep = new ArrayList<>();

    public SettingsView(SettingsViewModel vm) {
        setId("settings");
        setSpacing(6);
        GridPane g = grid();
        int row = 0;
        add(g, row++, "Cutouts", intSpinner("cutouts", vm.cutoutsProperty(), 1, 256, 4), "Crops per step seen by CLIP");
        add(g, row++, "Cut power", doubleSpinner("cutPow", vm.cutPowProperty(), 0.1, 5, 0.1),
                "Exponent of the cutout size distribution (1 = uniform)");
        add(g, row++, "Learning rate", doubleSpinner("learningRate", vm.learningRateProperty(), 0.001, 10, 0.01),
                "Adam's step size (changes apply to a running generation at its next step)");
        add(g, row++, "History every", intSpinner("historyEvery", vm.historyEveryProperty(), 0, 10_000, 10),
                "Keep a snapshot in the history every N steps (0: only when pausing)");
        TitledPane basic = new TitledPane("Run", g);
        basic.setId("settingsRun");

        GridPane a = grid();
        int r = 0;
        a.add(check("flip", "Flip", vm.flipProperty(), "Random horizontal flips of the cutouts"), 0, r++, 2, 1);
        a.add(check("affine", "Affine", vm.affineProperty(), "Random rotation and translation"), 0, r++, 2, 1);
        a.add(check("perspective", "Perspective", vm.perspectiveProperty(), "Random perspective distortion"), 0, r++,
                2, 1);
        a.add(check("colorJitter", "Colour jitter", vm.colorJitterProperty(), "Random hue and saturation jitter"), 0,
                r++, 2, 1);
        a.add(check("noise", "Noise", vm.noiseProperty(), "Gaussian noise on the cutouts"), 0, r++, 2, 1);
        add(a, r++, "Noise factor", doubleSpinner("noiseFactor", vm.noiseFactorProperty(), 0, 1, 0.01),
                "Largest noise standard deviation");
        TitledPane aug = new TitledPane("Augmentations", a);
        aug.setId("settingsAugment");
        aug.setExpanded(false);

        GridPane l = grid();
        add(l, 0, "L2 weight", doubleSpinner("l2Weight", vm.l2WeightProperty(), 0, 10, 0.01),
                "Initial weight α of the regulariser α·mean(z²)");
        add(l, 1, "L2 decay", doubleSpinner("l2Decay", vm.l2DecayProperty(), 0, 1, 0.001),
                "Per-step decay of α");
        TitledPane reg = new TitledPane("Regularisation", l);
        reg.setId("settingsRegularisation");
        reg.setExpanded(false);
        getChildren().addAll(basic, aug, reg, engine(vm.enginePriority()));
    }

    /** The user's engine preferences (saved for later starts, not part of a run). */
    private static TitledPane engine(EnginePriority p) {
        CheckBox background = check("runInBackground", "Run in the background (lower priority)",
                p.backgroundProperty(), "Let other programs have the CPU first; generation slows down while the "
                        + "machine is busy. Saved for later starts.");
        Label notice = new Label();
        notice.setId("runInBackgroundNotice");
        notice.setWrapText(true);
        notice.textProperty().bind(p.noticeProperty());
        notice.visibleProperty().bind(p.noticeProperty().isNotEmpty());
        notice.managedProperty().bind(notice.visibleProperty());
        TitledPane pane = new TitledPane("Engine", new VBox(6, background, notice));
        pane.setId("settingsEngine");
        pane.setExpanded(false);
        return pane;
    }

    static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        g.setPadding(new Insets(6));
        return g;
    }

    static void add(GridPane g, int row, String label, Node control, String tip) {
        Label l = new Label(label);
        l.setTooltip(new Tooltip(tip));
        if (control instanceof javafx.scene.control.Control c && c.getTooltip() == null) {
            c.setTooltip(new Tooltip(tip));
        } else if (control instanceof HBox h) {
            h.getChildren().stream().filter(n -> n instanceof javafx.scene.control.Control)
                    .map(n -> (javafx.scene.control.Control) n).filter(c -> c.getTooltip() == null)
                    .forEach(c -> c.setTooltip(new Tooltip(tip)));
        }
        g.add(l, 0, row);
        g.add(control, 1, row);
    }

    private Spinner<Integer> intSpinner(String id, IntegerProperty p, int min, int max, int step) {
        return intSpinner(keep, id, p, min, max, step);
    }

    static Spinner<Integer> intSpinner(List<Object> keep, String id, IntegerProperty p, int min, int max,
                                       int step) {
        return spinner(keep, id, new SpinnerValueFactory.IntegerSpinnerValueFactory(min, max, p.get(), step),
                p.asObject());
    }

    private Spinner<Double> doubleSpinner(String id, DoubleProperty p, double min, double max, double step) {
        return spinner(keep, id, new SpinnerValueFactory.DoubleSpinnerValueFactory(min, max, p.get(), step),
                p.asObject());
    }

    /** An editable spinner bound both ways to {@code o}, which {@code keep} holds on to (the binding is weak). */
    private static <T> Spinner<T> spinner(List<Object> keep, String id, SpinnerValueFactory<T> f, ObjectProperty<T> o) {
        Spinner<T> s = new Spinner<>();
        s.setValueFactory(f);
        s.setEditable(true);
        s.setId(id);
        s.setPrefWidth(120);
        keep.add(o);
        f.valueProperty().bindBidirectional(o);
        return s;
    }

    private static CheckBox check(String id, String text, javafx.beans.property.BooleanProperty p, String tip) {
        CheckBox c = new CheckBox(text);
        c.setId(id);
        c.selectedProperty().bindBidirectional(p);
        c.setTooltip(new Tooltip(tip));
        return c;
    }
}
