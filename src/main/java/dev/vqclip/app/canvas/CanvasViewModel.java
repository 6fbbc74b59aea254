package dev.vqclip.app.canvas;

import dev.vqclip.app.layers.LayerModel;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.session.PixelMask;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;

/**
 * What the canvas shows: the {@link LayerModel} (the engine's frame at the bottom, the paint layer the paint tools
 * draw over it, the mask overlay on the latent grid on top), with a caption, grid and mask toggles and the zoom. Zoom
 * is a factor; in fit mode the view computes it from its size.
 */
public final class CanvasViewModel {
    public static final double MIN_ZOOM = 0.125;
    public static final double MAX_ZOOM = 16;
    private final LayerModel layers = new LayerModel();
    private final BooleanProperty showGrid = new SimpleBooleanProperty(false);
    private final BooleanProperty showMask = new SimpleBooleanProperty(true);
    private final DoubleProperty zoom = new SimpleDoubleProperty(1.0);
    private final BooleanProperty fit = new SimpleBooleanProperty(true);
    private final ReadOnlyObjectWrapper<String> caption = new ReadOnlyObjectWrapper<>("");

    // ---- Commands ----

    /** Shows a frame (the live one or a history entry's) with a caption such as "step 120" or "history: step 50". */
    public void show(Frame f, String what) {
        layers.showFrame(f);
        caption.set(what == null ? "" : what);
    }

    public void zoomIn() {
        setZoom(zoom.get() * 1.25);
    }

    public void zoomOut() {
        setZoom(zoom.get() / 1.25);
    }

    /** 1 image pixel = 1 screen pixel. */
    public void actualSize() {
        setZoom(1.0);
    }

    /** Scales the image to the view's size (and keeps doing so when the view resizes). */
    public void fitToView() {
        fit.set(true);
    }

    /** Sets an explicit zoom (leaves fit mode). */
    public void setZoom(double z) {
        fit.set(false);
        zoom.set(Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z)));
    }

    /** Called by the view in fit mode with the zoom that fits. */
    public void fittedZoom(double z) {
        if (fit.get() && Double.isFinite(z) && z > 0) {
            zoom.set(Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z)));
        }
    }

    // ---- Properties ----

    /** @return the layers this canvas shows (the paint tools draw on the same) */
    public LayerModel layers() {
        return layers;
    }

    public ReadOnlyObjectProperty<Frame> frameProperty() {
        return layers.frameProperty();
    }

    public Frame getFrame() {
        return layers.getFrame();
    }

    public ReadOnlyObjectProperty<String> captionProperty() {
        return caption.getReadOnlyProperty();
    }

    public ObjectProperty<Frame> paintLayerProperty() {
        return layers.paintLayerProperty();
    }

    public ObjectProperty<PixelMask> maskLayerProperty() {
        return layers.maskLayerProperty();
    }

    /** the latent grid of the run's latent grid, or null before a run. */
    public ObjectProperty<LatentGrid> latentGridProperty() {
        return layers.latentGridProperty();
    }

    public BooleanProperty showGridProperty() {
        return showGrid;
    }

    public BooleanProperty showMaskProperty() {
        return showMask;
    }

    public DoubleProperty zoomProperty() {
        return zoom;
    }

    public BooleanProperty fitProperty() {
        return fit;
    }
}
