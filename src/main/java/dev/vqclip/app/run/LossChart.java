package dev.vqclip.app.run;

import dev.vqclip.engine.run.StepEvent;
import dev.vqclip.session.SessionData.LossCurve;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.chart.XYChart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss chart's data: one series per history branch, each point a step's total loss (the sum that was minimised).
 * Steps arrive in batches ({@link #add}) and join the chart on {@link #flush} (a chart re-layout per step would cost
 * the UI thread too much). UI thread only.
 */
public final class LossChart {
    /** Most points kept per loss series; older points are thinned out beyond this. */
    static final int MAX_POINTS = 600;
    private final ObservableList<XYChart.Series<Number, Number>> series = FXCollections.observableArrayList();
    /** The series of each branch, in the order the branches were made. */
    private final Map<String, XYChart.Series<Number, Number>> seriesOfBranch = new LinkedHashMap<>();
    /** The branch whose series new losses join. */
    private XYChart.Series<Number, Number> currentSeries;
    private final List<StepEvent> pendingPoints = new ArrayList<>();
    /** The chart is updated at most this often while running. */
    static final long INTERVAL_NANOS = 500_000_000L;
    private long lastFlushNanos = -1;

    /**
     * Steps whose losses join the chart: at once when the last flush is {@link #INTERVAL_NANOS} old, else on a later
     * {@link #flush}.
     *
     * @param nowNanos the clock's time now
     */
    void add(List<StepEvent> events, long nowNanos) {
        pendingPoints.addAll(events);
        if (lastFlushNanos < 0 || nowNanos - lastFlushNanos >= INTERVAL_NANOS) {
            flush();
            lastFlushNanos = nowNanos;
        }
    }

    /** Forgets the losses not yet shown (a new run starts). */
    void dropPending() {
        pendingPoints.clear();
        lastFlushNanos = -1;
    }

    /**
     * Makes {@code branchId} the branch whose series the next losses join (its series is made when new). Losses
     * still waiting for the chart belong to the branch before and go to its series first.
     *
     * @param name what the chart calls the branch, e.g. "b2 from step 40"
     * @param fromBranch the branch it grows from, or null for a new root
     * @param fromStep the step it grows from: the parent's point at that step starts the new series, so the chart
     *        shows where it branched off
     */
    public void branch(String branchId, String name, String fromBranch, int fromStep) {
        flush();
        XYChart.Series<Number, Number> s = seriesOfBranch.get(branchId);
        if (s == null) {
            s = new XYChart.Series<>();
            s.setName(name == null ? branchId : name);
            XYChart.Series<Number, Number> parent = fromBranch == null ? null : seriesOfBranch.get(fromBranch);
            if (parent != null) {
                for (XYChart.Data<Number, Number> d : parent.getData()) {
                    if (d.getXValue().intValue() == fromStep) {
                        s.getData().add(new XYChart.Data<>(fromStep, d.getYValue()));
                    }
                }
            }
            seriesOfBranch.put(branchId, s);
            if (!s.getData().isEmpty()) {
                series.add(s); // else with its first point: the legend names no branch without losses
            }
        }
        currentSeries = s;
    }

    /** Empties the loss chart (a new session). */
    public void clear() {
        pendingPoints.clear();
        seriesOfBranch.clear();
        series.clear();
        currentSeries = null;
    }

    /** @return the chart's curves, one per branch with losses in the order they were made, for saving */
    public List<LossCurve> lossCurves() {
        flush();
        List<LossCurve> out = new ArrayList<>();
        seriesOfBranch.forEach((id, s) -> {
            if (s.getData().isEmpty()) {
                return;
            }
            int[] x = new int[s.getData().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = s.getData().get(i).getXValue().intValue();
                y[i] = s.getData().get(i).getYValue().doubleValue();
            }
            out.add(new LossCurve(id, s.getName(), x, y));
        });
        return out;
    }

    /** Replaces the chart with saved curves (opening a session); {@link #branch} then picks the current one. */
    public void setLossCurves(List<LossCurve> curves) {
        clear();
        for (var c : curves) {
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName(c.name());
            List<XYChart.Data<Number, Number>> points = new ArrayList<>();
            for (int i = 0; i < c.steps().length; i++) {
                if (Double.isFinite(c.values()[i])) {
                    points.add(new XYChart.Data<>(c.steps()[i], c.values()[i]));
                }
            }
            s.getData().setAll(points);
            seriesOfBranch.put(c.branchId(), s);
            if (!points.isEmpty()) {
                series.add(s);
            }
        }
    }

    /**
     * Adds the pending points to the current branch's series (a chart re-layout per step would cost the UI thread
     * too much). Each point is the step's total loss, the sum that was minimised.
     */
    public void flush() {
        if (currentSeries == null && !pendingPoints.isEmpty()) {
            branch("b1", "b1", null, -1);
        }
        for (StepEvent e : pendingPoints) {
            addPoint(currentSeries, e.step(), e.totalLoss());
        }
        pendingPoints.clear();
        if (currentSeries != null && !currentSeries.getData().isEmpty() && !series.contains(currentSeries)) {
            series.add(currentSeries);
        }
    }

    private static void addPoint(XYChart.Series<Number, Number> s, int x, double y) {
        if (!Double.isFinite(y)) {
            return; // a chart must never show a NaN loss as if it were a value (engines refuse such steps)
        }
        ObservableList<XYChart.Data<Number, Number>> d = s.getData();
        if (d.size() >= MAX_POINTS) {
            // keep the curve's shape: drop every other point of the older half
            List<XYChart.Data<Number, Number>> keep = new java.util.ArrayList<>();
            for (int i = 0; i < d.size(); i++) {
                if (i >= d.size() / 2 || i % 2 == 0) {
                    keep.add(d.get(i));
                }
            }
            d.setAll(keep);
        }
        d.add(new XYChart.Data<>(x, y));
    }

    /** @return the series shown, one per branch that has losses */
    public ObservableList<XYChart.Series<Number, Number>> series() {
        return series;
    }
}
