package dev.vqclip.app.core;

import dev.vqclip.engine.image.Frame;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;

/** Frame to JavaFX image conversion (UI thread). */
public final class Frames {
    private Frames() {
    }

    /** @return {@code reuse} updated with the frame when it has the same size, else a new image */
    public static WritableImage toImage(Frame f, WritableImage reuse) {
        WritableImage img = reuse != null && (int) reuse.getWidth() == f.width()
                && (int) reuse.getHeight() == f.height() ? reuse : new WritableImage(f.width(), f.height());
        img.getPixelWriter().setPixels(0, 0, f.width(), f.height(), PixelFormat.getIntArgbInstance(), f.argb(), 0,
                f.width());
        return img;
    }
}
