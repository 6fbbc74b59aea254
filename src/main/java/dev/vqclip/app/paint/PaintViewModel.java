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
    private final TextSelection byText = new TextSelection();
    private final ReadOnlyObjectWrapper<String> message = new ReadOnlyObjectWrapper<>("");
    private final EditHistory edits;

    /** The stroke in progress, or null. */
    private Stroke stroke;
    /** True while a rectangle selection is being dragged. */
    private boolean selecting;
    private int width;
    private int height;
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
                selecting = true;
            }
            default -> {
                boolean paints = t == Tool.BRUSH || t == Tool.ERASER;
                stroke = new Stroke(t, model, new Stroke.Brush(size.get(), hardness.get(), opacity.get(),
                        colour.get()), width, height, paints ? paintLayerFitting() : null,
                        paints ? null : maskFitting(), x, y);
            }
        }
    }

    /** Continues the stroke (or the selection) to (x, y). */
    public void drag(double x, double y) {
        if (selecting) {
            selection.set(DirtyRect.spanning(selectX, selectY, clampX(x), clampY(y)));
        } else if (stroke != null) {
            stroke.to(x, y);
        }
    }

    /** Ends the stroke: the layers before it become one undo step. */
    public void release(double x, double y) {
        drag(x, y);
        selecting = false;
        Stroke s = stroke;
        stroke = null;
        if (s != null) {
            commit(s.before(), s.name());
        }
    }

    /** Takes the colour of the shown image (paint included) at (x, y). */
    public void pick(double x, double y) {
        Frame f = model.getFrame();
        if (f == null) {
            return;
        }
        colour.set(Brushes.colourAt(f, model.paintLayerProperty().get(), x, y));
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
        editLayers("mask from selection",
                () -> model.maskLayerProperty().set(MaskGrid.withRect(maskFitting(), sel)));
    }

    /** Swaps editable and kept cells (snapped to the latent grid first, since that is what the engine sees). */
    public void invertMask() {
        LatentGrid g = model.latentGridProperty().get();
        if (model.getFrame() == null) {
            return;
        }
        editLayers("mask inversion", () -> model.maskLayerProperty().set(MaskGrid.invert(maskFitting(),
                g == null ? 1 : g.factor())));
    }

    /** Removes the mask: everything may change again. */
    public void clearMask() {
        if (model.maskLayerProperty().get() == null) {
            return;
        }
        editLayers("clear mask", () -> model.maskLayerProperty().set(null));
    }

    /** Removes all paint (one undo step). */
    public void clearPaint() {
        if (model.paintLayerProperty().get() == null) {
            return;
        }
        editLayers("clear paint", () -> model.paintLayerProperty().set(null));
    }

    // ---- Commands: select by text ----

    /** Turns the heat map at the current threshold into the mask (one undo step) and hides the heat map. */
    public void acceptHeat() {
        SelfMask.HeatMap h = byText.heat().get();
        Frame f = model.getFrame();
        LatentGrid g = model.latentGridProperty().get();
        if (h == null || f == null || g == null) {
            return;
        }
        byText.heat().set(null);
        editLayers("mask from text", () -> model.maskLayerProperty().set(MaskGrid.fromCells(
                h.mask(byText.threshold().get()), h.rows(), h.cols(), g.factor(), f.width(), f.height())));
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
        byText.heat().set(null);
        selection.set(null);
        updateLatentMask();
    }

    /** @return the current layers (immutable values; the same objects until an edit replaces them) */
    public Layers layers() {
        return new Layers(model.paintLayerProperty().get(), model.maskLayerProperty().get());
    }

    /** Makes {@code change} to the layers one undo step called {@code name}. */
    private void editLayers(String name, Runnable change) {
        Layers before = layers();
        change.run();
        commit(before, name);
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

    /** @return select by text: the phrases, the heat map and its threshold */
    public TextSelection byText() {
        return byText;
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
        return stroke != null || selecting;
    }
}
