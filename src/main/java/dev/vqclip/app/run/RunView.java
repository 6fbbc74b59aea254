package dev.vqclip.app.run;

import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * Run controls (Start, Pause, Resume, Stop, Step once) with progress, it/s and ETA, plus the loss chart (created
 * separately by {@link #lossChart}). Button states are bound to {@link RunViewModel#stateProperty()}.
 */
public final class RunView extends HBox {
    public RunView(RunViewModel vm, Runnable start, Runnable stepOnce) {
        this(vm, start, stepOnce, null);
    }

    /** @param startAllowed also needed to start (e.g. a prompt has been typed), or null */
    public RunView(RunViewModel vm, Runnable start, Runnable stepOnce,
                   javafx.beans.value.ObservableBooleanValue startAllowed) {
        setId("runControls");
        setSpacing(6);
        setAlignment(Pos.CENTER_LEFT);
        var state = vm.stateProperty();
        Button startB = button("start", "Generate", MaterialDesignP.PLAY,
                "Start a new generation from the prompt (Ctrl+Enter)");
        startB.setOnAction(e -> start.run());
        startB.disableProperty().bind(startAllowed == null ? vm.canStartProperty().not()
                : vm.canStartProperty().not().or(Bindings.createBooleanBinding(() -> !startAllowed.get(),
                        startAllowed)));
        startB.getStyleClass().add("accent");
        Button pause = button("pause", "Pause", MaterialDesignP.PAUSE, "Pause after the current step (Space)");
        pause.setOnAction(e -> vm.pause());
        pause.disableProperty().bind(state.isNotEqualTo(RunState.RUNNING));
        Button resume = button("resume", "Resume", MaterialDesignP.PLAY_PAUSE, "Continue the paused run (Space)");
        resume.setOnAction(e -> vm.resume());
        resume.disableProperty().bind(state.isNotEqualTo(RunState.PAUSED));
        Button stop = button("stop", "Stop", MaterialDesignS.STOP, "End the run (its history stays)");
        stop.setOnAction(e -> vm.stop());
        stop.disableProperty().bind(state.isNotEqualTo(RunState.RUNNING).and(state.isNotEqualTo(RunState.PAUSED))
                .and(state.isNotEqualTo(RunState.PAUSING)));
        Button step = button("stepOnce", "Step", MaterialDesignS.STEP_FORWARD, "Take exactly one step (Ctrl+.)");
        step.setOnAction(e -> stepOnce.run());
        step.disableProperty().bind(state.isEqualTo(RunState.RUNNING).or(state.isEqualTo(RunState.LOADING))
                .or(state.isEqualTo(RunState.PAUSING))
                .or(startAllowed == null ? Bindings.createBooleanBinding(() -> false)
                        : Bindings.createBooleanBinding(() -> state.get() != RunState.PAUSED && !startAllowed.get(),
                                state, startAllowed)));

        ProgressBar bar = new ProgressBar();
        bar.setId("progress");
        bar.setPrefWidth(180);
        bar.progressProperty().bind(vm.progress().progressProperty());
        bar.setTooltip(new Tooltip("Progress of the run (or of model loading)"));
        Label stepL = label("stepLabel", "Steps taken / planned");
        RunProgress p = vm.progress();
        stepL.textProperty().bind(Bindings.format("%d / %d", p.stepProperty(), p.totalStepsProperty()));
        Label rate = label("itPerSec", "Steps per second");
        rate.textProperty().bind(Bindings.format("%.2f it/s", vm.progress().itPerSecProperty()));
        Label eta = label("eta", "Estimated time left");
        eta.textProperty().bind(Bindings.createStringBinding(
                () -> p.etaProperty().get().isEmpty() ? "" : "ETA " + p.etaProperty().get(), p.etaProperty()));
        Label st = label("runState", "State of the run");
        st.textProperty().bind(Bindings.createStringBinding(
                () -> state.get() == RunState.PAUSING ? "PAUSING…" : state.get().name(), state));
        st.styleProperty().bind(Bindings.createStringBinding(() -> state.get() == RunState.FAILED
                ? "-fx-text-fill: -color-danger-fg; -fx-font-weight: bold;" : "-fx-font-weight: bold;", state));
        Label err = label("runError", "Why the last action failed, or why the run paused by itself");
        err.textProperty().bind(Bindings.createStringBinding(
                () -> vm.errorProperty().get() != null ? vm.errorProperty().get()
                        : vm.warningProperty().get() != null ? vm.warningProperty().get() : "",
                vm.errorProperty(), vm.warningProperty()));
        err.setStyle("-fx-text-fill: -color-danger-fg;");
        Tooltip errFull = new Tooltip(); // the label may be cut off: the tooltip has the whole text
        errFull.textProperty().bind(err.textProperty());
        errFull.setWrapText(true);
        errFull.setMaxWidth(700);
        err.setTooltip(errFull);
        err.setMinWidth(0);
        HBox.setHgrow(err, javafx.scene.layout.Priority.ALWAYS);
        getChildren().addAll(startB, pause, resume, stop, step, bar, stepL, rate, eta, st, err);
        for (javafx.scene.Node n : getChildren()) {
            if (n != err && n instanceof javafx.scene.layout.Region r) {
                r.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            }
        }
    }

    /**
     * @return a line chart of each prompt's loss over steps, bound to the view-model's series. The axes do not
     * auto-range: re-measuring tick labels on every update made each chart update cost the UI thread 100+ ms in the
     * software pipeline. The x axis spans the planned steps; the y axis grows (with a margin) only when a point falls
     * outside it.
     */
    public static LineChart<Number, Number> lossChart(RunViewModel vm) {
        NumberAxis x = new NumberAxis(0, 100, 10);
        x.setLabel("step");
        x.setAutoRanging(false);
        x.setAnimated(false);
        NumberAxis y = new NumberAxis(0, 1, 0.1);
        y.setLabel("loss");
        y.setAutoRanging(false);
        y.setAnimated(false);
        LineChart<Number, Number> chart = new LineChart<>(x, y, vm.chart().series());
        chart.setId("lossChart");
        chart.setCreateSymbols(false);
        chart.setAnimated(false);
        // no title and the legend at the side: the plot keeps the height (the legend names the branches)
        chart.setLegendSide(javafx.geometry.Side.RIGHT);
        chart.setMinHeight(120);
        Tooltip.install(chart, new Tooltip("Total loss of each branch (lower is closer to the prompts); a new branch "
                + "starts at Generate and at Continue from here"));
        Runnable xRange = () -> {
            RunProgress p = vm.progress();
            int total = Math.max(10, Math.max(p.totalStepsProperty().get(), p.stepProperty().get()));
            if (x.getUpperBound() != total) {
                x.setUpperBound(total);
                x.setTickUnit(niceUnit(total));
            }
        };
        vm.progress().totalStepsProperty().addListener(o -> xRange.run());
        vm.progress().stepProperty().addListener(o -> {
            if (vm.progress().stepProperty().get() > x.getUpperBound()) {
                xRange.run();
            }
        });
        javafx.collections.ListChangeListener<XYChart.Data<Number, Number>> points = c -> fitY(y, vm);
        javafx.collections.ListChangeListener<XYChart.Series<Number, Number>> series = c -> {
            boolean added = false;
            while (c.next()) {
                c.getAddedSubList().forEach(s -> s.getData().addListener(points));
                added |= c.wasAdded();
            }
            if (added) {
                fitY(y, vm); // series restored from a session arrive with their points
            }
        };
        vm.chart().series().addListener(series);
        vm.chart().series().forEach(s -> s.getData().addListener(points));
        xRange.run();
        return chart;
    }

    /**
     * Moves the y axis only when the data leave it or fill less than 40% of it, to nice multiples of the tick unit,
     * so that tick labels are re-measured a few times per run rather than on every update.
     */
    private static void fitY(NumberAxis y, RunViewModel vm) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYChart.Series<Number, Number> s : vm.chart().series()) {
            for (XYChart.Data<Number, Number> d : s.getData()) {
                double v = d.getYValue().doubleValue();
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return;
        }
        double span = Math.max(1e-6, hi - lo);
        double axisSpan = y.getUpperBound() - y.getLowerBound();
        boolean outside = lo < y.getLowerBound() || hi > y.getUpperBound();
        if (!outside && span >= 0.4 * axisSpan) {
            return;
        }
        double unit = niceUnit(span * 1.2);
        y.setLowerBound(Math.floor((lo - 0.1 * span) / unit) * unit);
        y.setUpperBound(Math.ceil((hi + 0.1 * span) / unit) * unit);
        y.setTickUnit(unit);
    }

    /** @return a tick unit giving about 5-10 ticks over {@code span} (1, 2 or 5 times a power of ten) */
    static double niceUnit(double span) {
        double raw = span / 8;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    }

    private static Button button(String id, String text, Ikon icon, String tip) {
        Button b = new Button(text, new FontIcon(icon));
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        return b;
    }

    private static Label label(String id, String tip) {
        Label l = new Label();
        l.setId(id);
        l.setTooltip(new Tooltip(tip));
        return l;
    }
}
