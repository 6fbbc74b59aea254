package dev.vqclip.app.paint;

import dev.vqclip.app.editor.Edit;
import dev.vqclip.app.editor.EditHistory;
import dev.vqclip.app.layers.LayerModel;
import dev.vqclip.engine.guide.SelfMask;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.session.Layers;
import dev.vqclip.session.PixelMask;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;


/**
 * The paint and mask tools over the {@link LayerModel}'s layers. Strokes arrive in image coordinates
 * ({@link #press}, {@link #drag}, {@link #release}); each stroke keeps the layers as they were before it, so undo
 * restores them exactly. Painting needs {@link #paintAllowedProperty()} (the run is paused and the live image shown);
 * the mask may change at any time and reaches the engine through {@link #latentMaskProperty()}, which changes once
 * per finished edit (not per mouse move).
 */
public final class PaintViewModel {
    /** The active tool. */
    public enum Tool {
        /** no tool: dragging pans the view */
        PAN,
        /** paints colour into the paint layer */
        BRUSH,
        /** removes paint (the frame under it shows again) */
        ERASER,
        /** paints the editable region */
        MASK,
        /** removes from the editable region */
        MASK_ERASER,
        /** takes the colour under the cursor */
        PICKER,
        /** drags a rectangle selection */
        SELECT
    }

    /**
     * What the engine gets on resume: a copy of the frame with the paint laid over it and where the paint is.
     *
     * @param edited the composited image
     * @param painted one flag per pixel
     */
    public record PaintedImage(Frame edited, boolean[] painted) {
    }

    private final LayerModel model;
    private final ObjectProperty<Tool> tool = new SimpleObjectProperty<>(Tool.PAN);
    private final DoubleProperty size = new SimpleDoubleProperty(24);
    private final DoubleProperty hardness = new SimpleDoubleProperty(0.7);
    private final DoubleProperty opacity = new SimpleDoubleProperty(1.0);
    private final IntegerProperty colour = new SimpleIntegerProperty(0xffe03c31);
    private final IntegerProperty feather = new SimpleIntegerProperty(0);
    private final BooleanProperty keepUnmaskedPixels = new SimpleBooleanProperty(false);
    private final BooleanProperty paintAllowed = new SimpleBooleanProperty(true);
    private final StringProperty paintRefusal = new SimpleStringProperty("pause the run to paint");
    /** The refusal shown in {@link #message}, cleared once painting is allowed again. */
    private String shownRefusal;
    private final ObjectProperty<DirtyRect> selection = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<LatentMask> latentMask = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<SelfMask.HeatMap> heat = new ReadOnlyObjectWrapper<>();
    private final DoubleProperty threshold = new SimpleDoubleProperty(1.0);
    private final StringProperty selectPhrase = new SimpleStringProperty("");
    private final StringProperty replacePhrase = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<String> message = new ReadOnlyObjectWrapper<>("");
    private final EditHistory edits;

    // the stroke in progress (UI thread)
    private Tool strokeTool;
    private Layers strokeBefore;
    private float[] coverage;
    private int[] basePaint;
    private int[] workPaint;
    private float[] baseMask;
    private float[] workMask;
    private int width;
    private int height;
    private double lastX;
    private double lastY;
    private int selectX;
    private int selectY;

    /** Paint tools with an edit history of their own (tests). */
    public PaintViewModel(LayerModel model) {
        this(model, new EditHistory());
    }

    /** @param edits the studio's edit history: each finished stroke becomes one step of it */
    public PaintViewModel(LayerModel model, EditHistory edits) {
        this.model = model;
        this.edits = edits;
        edits.onLayers(e -> showLayers(e.before()), e -> showLayers(e.after()));
        model.latentGridProperty().addListener(o -> updateLatentMask());
        feather.addListener(o -> updateLatentMask());
        paintAllowed.addListener((o, was, allowed) -> {
            if (allowed && shownRefusal != null && shownRefusal.equals(message.get())) {
                message.set(""); // the hint no longer applies
            }
            shownRefusal = null;
        });
    }

    private void refuse() {
        shownRefusal = paintRefusal.get();
        message.set(shownRefusal);
    }

    // ---- Commands: strokes ----

    /** Starts a stroke (or a pick or a selection) at image pixel coordinates. */
    public void press(double x, double y) {
        Frame f = model.getFrame();
        if (f == null) {
            return;
        }
        Tool t = tool.get();
        if (t == Tool.PAN) {
            return;
        }
        boolean isPaint = t == Tool.BRUSH || t == Tool.ERASER || t == Tool.PICKER || t == Tool.SELECT;
        if (isPaint && !paintAllowed.get()) {
            refuse();
            return;
        }
        width = f.width();
        height = f.height();
        switch (t) {
            case PICKER -> pick(x, y);
            case SELECT -> {
                selectX = clampX(x);
                selectY = clampY(y);
                selection.set(DirtyRect.spanning(selectX, selectY, selectX, selectY));
                strokeTool = t;
            }
            default -> beginStroke(t, x, y);
        }
    }

    /** Continues the stroke to (x, y): dabs are laid along the segment from the previous point. */
    public void drag(double x, double y) {
        if (strokeTool == null) {
            return;
        }
        if (strokeTool == Tool.SELECT) {
            selection.set(DirtyRect.spanning(selectX, selectY, clampX(x), clampY(y)));
            return;
        }
        double dx = x - lastX;
        double dy = y - lastY;
        double len = Math.hypot(dx, dy);
        double spacing = Math.max(1.0, size.get() * 0.15);
        int n = (int) Math.ceil(len / spacing);
        DirtyRect dirty = DirtyRect.EMPTY;
        for (int i = 1; i <= n; i++) {
            dirty = dirty.union(Brushes.dab(coverage, width, height, lastX + dx * i / n, lastY + dy * i / n,
                    size.get(), hardness.get()));
        }
        lastX = x;
        lastY = y;
        apply(dirty);
    }

    /** Ends the stroke: the layers before it become one undo step. */
    public void release(double x, double y) {
        if (strokeTool == null) {
            return;
        }
        Tool t = strokeTool;
        drag(x, y);
        strokeTool = null;
        if (t == Tool.SELECT) {
            return;
        }
        commit(strokeBefore, switch (t) {
            case BRUSH -> "brush stroke";
            case ERASER -> "eraser stroke";
            case MASK -> "mask stroke";
            default -> "paint edit";
        });
        coverage = null;
        basePaint = workPaint = null;
        baseMask = workMask = null;
    }

    private void beginStroke(Tool t, double x, double y) {
        strokeTool = t;
        strokeBefore = layers();
        coverage = new float[width * height];
        if (t == Tool.BRUSH || t == Tool.ERASER) {
            Frame p = paintLayerFitting();
            basePaint = p.argb().clone();
            workPaint = basePaint.clone();
        } else {
            PixelMask m = maskFitting();
            baseMask = m.values();
            workMask = baseMask.clone();
        }
        lastX = x;
        lastY = y;
        apply(Brushes.dab(coverage, width, height, x, y, size.get(), hardness.get()));
    }

    private void apply(DirtyRect r) {
        if (r.isEmpty()) {
            return;
        }
        switch (strokeTool) {
            case BRUSH -> {
                Brushes.paintOver(basePaint, coverage, workPaint, width, r, colour.get(), opacity.get());
                model.paintLayerProperty().set(new Frame(width, height, workPaint.clone()));
            }
            case ERASER -> {
                Brushes.erase(basePaint, coverage, workPaint, width, r, opacity.get());
                model.paintLayerProperty().set(new Frame(width, height, workPaint.clone()));
            }
            case MASK, MASK_ERASER -> {
                Brushes.mask(baseMask, coverage, workMask, width, r, opacity.get(), strokeTool == Tool.MASK_ERASER);
                model.maskLayerProperty().set(new PixelMask(width, height, workMask));
            }
            default -> {
            }
        }
    }

    /** Takes the colour of the shown image (paint included) at (x, y). */
    public void pick(double x, double y) {
        Frame f = model.getFrame();
        if (f == null) {
            return;
        }
        int px = Math.max(0, Math.min(f.width() - 1, (int) Math.floor(x)));
        int py = Math.max(0, Math.min(f.height() - 1, (int) Math.floor(y)));
        Frame p = model.paintLayerProperty().get();
        Frame shown = p != null && p.width() == f.width() && p.height() == f.height() ? Brushes.composite(f, p) : f;
        colour.set(0xff000000 | shown.pixel(px, py));
    }

    // ---- Commands: selection and mask ----

    /** Fills the rectangle selection with the brush colour and opacity (one undo step). */
    public void fillSelection() {
        DirtyRect sel = selection.get();
        if (sel == null || sel.isEmpty() || model.getFrame() == null) {
            message.set("drag a rectangle with the selection tool first");
            return;
        }
        if (!paintAllowed.get()) {
            refuse();
            return;
        }
        Layers before = layers();
        Frame p = paintLayerFitting();
        int[] px = p.argb().clone();
        Brushes.fill(px, p.width(), p.height(), sel, colour.get(), opacity.get());
        model.paintLayerProperty().set(new Frame(p.width(), p.height(), px));
        commit(before, "fill");
    }

    /** Makes the selection editable in the mask (one undo step). */
    public void maskSelection() {
        DirtyRect sel = selection.get();
        if (sel == null || sel.isEmpty() || model.getFrame() == null) {
            message.set("drag a rectangle with the selection tool first");
            return;
        }
        Layers before = layers();
        PixelMask m = maskFitting();
        float[] v = m.values();
        DirtyRect r = sel.clip(m.width(), m.height());
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            for (int x = r.x(); x < r.x() + r.width(); x++) {
                v[y * m.width() + x] = 1f;
            }
        }
        model.maskLayerProperty().set(new PixelMask(m.width(), m.height(), v));
        commit(before, "mask from selection");
    }

    /** Swaps editable and kept cells (snapped to the latent grid first, since that is what the engine sees). */
    public void invertMask() {
        LatentGrid g = model.latentGridProperty().get();
        if (model.getFrame() == null) {
            return;
        }
        Layers before = layers();
        PixelMask m = maskFitting();
        model.maskLayerProperty().set(MaskGrid.invert(m, g == null ? 1 : g.factor()));
        commit(before, "mask inversion");
    }

    /** Removes the mask: everything may change again. */
    public void clearMask() {
        if (model.maskLayerProperty().get() == null) {
            return;
        }
        Layers before = layers();
        model.maskLayerProperty().set(null);
        commit(before, "clear mask");
    }

    /** Removes all paint (one undo step). */
    public void clearPaint() {
        if (model.paintLayerProperty().get() == null) {
            return;
        }
        Layers before = layers();
        model.paintLayerProperty().set(null);
        commit(before, "clear paint");
    }

    // ---- Commands: select by text ----

    /** Shows a heat map from the engine (threshold slider, then {@link #acceptHeat()}). */
    public void showHeat(SelfMask.HeatMap h) {
        heat.set(h);
    }

    /** Turns the heat map at the current threshold into the mask (one undo step) and hides the heat map. */
    public void acceptHeat() {
        SelfMask.HeatMap h = heat.get();
        Frame f = model.getFrame();
        LatentGrid g = model.latentGridProperty().get();
        if (h == null || f == null || g == null) {
            return;
        }
        Layers before = layers();
        model.maskLayerProperty().set(MaskGrid.fromCells(h.mask(threshold.get()), h.rows(), h.cols(), g.factor(),
                f.width(), f.height()));
        heat.set(null);
        commit(before, "mask from text");
    }

    public void cancelHeat() {
        heat.set(null);
    }

    // ---- Commands: engine hand-over ----

    private void showLayers(Layers l) {
        setLayersNow(l);
        updateLatentMask();
    }

    /**
     * Hands the paint to the engine: returns a copy of {@code live} with the paint laid over it and the painted
     * flags, then clears the paint layer (the paint lives in z from now on; its strokes can no longer be undone).
     *
     * @return null when there is no paint (or it does not fit the frame)
     */
    public PaintedImage takeEdit(Frame live) {
        Frame p = model.paintLayerProperty().get();
        if (p == null || live == null || p.width() != live.width() || p.height() != live.height()) {
            return null;
        }
        boolean[] painted = Brushes.painted(p);
        boolean any = false;
        for (boolean b : painted) {
            any |= b;
        }
        model.paintLayerProperty().set(null);
        edits.forget(Edit.LayerEdit.class);
        return any ? new PaintedImage(Brushes.composite(live, p), painted) : null;
    }

    /** Replaces both layers (opening a session, going back in history); the layer edits leave the history. */
    public void setLayers(Layers l) {
        setLayersNow(l == null ? new Layers(null, null) : l);
        edits.forget(Edit.LayerEdit.class);
        heat.set(null);
        selection.set(null);
        updateLatentMask();
    }

    /** @return the current layers (immutable values; the same objects until an edit replaces them) */
    public Layers layers() {
        return new Layers(model.paintLayerProperty().get(), model.maskLayerProperty().get());
    }

    private void commit(Layers before, String name) {
        edits.record(new Edit.LayerEdit(name, before, layers()));
        updateLatentMask();
    }

    private void setLayersNow(Layers l) {
        model.paintLayerProperty().set(l.paint());
        model.maskLayerProperty().set(l.mask());
    }

    private void updateLatentMask() {
        LatentGrid g = model.latentGridProperty().get();
        PixelMask m = model.maskLayerProperty().get();
        LatentMask lm = null;
        if (g != null && m != null && m.width() / g.factor() == g.cols() && m.height() / g.factor() == g.rows()) {
            lm = MaskGrid.toLatent(m, g.factor(), feather.get());
        }
        latentMask.set(lm);
    }

    private Frame paintLayerFitting() {
        Frame p = model.paintLayerProperty().get();
        return p != null && p.width() == width && p.height() == height ? p : Brushes.emptyLayer(width, height);
    }

    private PixelMask maskFitting() {
        Frame f = model.getFrame();
        PixelMask m = model.maskLayerProperty().get();
        return m != null && m.width() == f.width() && m.height() == f.height() ? m
                : new PixelMask(f.width(), f.height(), new float[f.width() * f.height()]);
    }

    private int clampX(double x) {
        return Math.max(0, Math.min(width - 1, (int) Math.floor(x)));
    }

    private int clampY(double y) {
        return Math.max(0, Math.min(height - 1, (int) Math.floor(y)));
    }

    // ---- Properties ----

    public ObjectProperty<Tool> toolProperty() {
        return tool;
    }

    public DoubleProperty sizeProperty() {
        return size;
    }

    public DoubleProperty hardnessProperty() {
        return hardness;
    }

    public DoubleProperty opacityProperty() {
        return opacity;
    }

    /** @return the brush colour as opaque ARGB */
    public IntegerProperty colourProperty() {
        return colour;
    }

    /** @return the mask's soft edge in latent cells (0..4) */
    public IntegerProperty featherProperty() {
        return feather;
    }

    public BooleanProperty keepUnmaskedPixelsProperty() {
        return keepUnmaskedPixels;
    }

    /** @return true when paint edits are allowed (set by the session: paused and showing the live image) */
    public BooleanProperty paintAllowedProperty() {
        return paintAllowed;
    }

    /** @return why painting is refused while {@link #paintAllowedProperty()} is false (shown when a stroke is) */
    public StringProperty paintRefusalProperty() {
        return paintRefusal;
    }

    public ObjectProperty<DirtyRect> selectionProperty() {
        return selection;
    }

    /** @return the mask on the latent grid as the engine should use it (null: no mask) */
    public ReadOnlyObjectProperty<LatentMask> latentMaskProperty() {
        return latentMask.getReadOnlyProperty();
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

    /** @return the edit history the strokes go into (the studio's one history) */
    public EditHistory edits() {
        return edits;
    }

    /** @return the last hint for the user (e.g. why a stroke was refused) */
    public ReadOnlyObjectProperty<String> messageProperty() {
        return message.getReadOnlyProperty();
    }

    public boolean isStroking() {
        return strokeTool != null;
    }
}
