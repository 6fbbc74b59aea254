package dev.vqclip.app.layers;

import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.session.PixelMask;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The image the studio works on, as layers: the engine's frame at the bottom, the user's paint layer over it and the
 * mask on top, with the run's latent grid the mask snaps to. The paint tools write the paint and mask layers, the
 * canvas shows all of them; both hold this one model and neither imports the other's package.
 */
public final class LayerModel {
    private final ReadOnlyObjectWrapper<Frame> frame = new ReadOnlyObjectWrapper<>();
    private final ObjectProperty<Frame> paintLayer = new SimpleObjectProperty<>();
    private final ObjectProperty<PixelMask> maskLayer = new SimpleObjectProperty<>();
    private final ObjectProperty<LatentGrid> latentGrid = new SimpleObjectProperty<>();

    /** Shows a frame (the live one or a history entry's) at the bottom. */
    public void showFrame(Frame f) {
        frame.set(f);
    }

    public ReadOnlyObjectProperty<Frame> frameProperty() {
        return frame.getReadOnlyProperty();
    }

    public Frame getFrame() {
        return frame.get();
    }

    public ObjectProperty<Frame> paintLayerProperty() {
        return paintLayer;
    }

    public ObjectProperty<PixelMask> maskLayerProperty() {
        return maskLayer;
    }

    /** the latent grid of the run's latent grid, or null before a run. */
    public ObjectProperty<LatentGrid> latentGridProperty() {
        return latentGrid;
    }
}
