package dev.vqclip.app.animate;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.run.Animation;
import dev.vqclip.engine.run.FrameTransform;
import dev.vqclip.engine.run.Keyframes;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;

import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The Animate panel's fields as typed (numbers, or keyframes {@code frame:value, ...} as {@code vqclip animate}
 * takes them), the plan they make or why they make none, and the preview: the current frame moved by the next
 * frame's camera move ({@link Animation#moveInto}), computed on a small copy whenever a value or the frame changes.
 */
public final class AnimationPlanFields {
    /** The preview's longer side in pixels (a small copy: cheap enough for every keystroke). */
    public static final int PREVIEW_SIDE = 128;

    private final StringProperty frames = new SimpleStringProperty("24");
    private final StringProperty stepsPerFrame = new SimpleStringProperty("10");
    private final StringProperty firstSteps = new SimpleStringProperty("50");
    private final StringProperty zoom = new SimpleStringProperty("1.02");
    private final StringProperty rotate = new SimpleStringProperty("0");
    private final StringProperty panX = new SimpleStringProperty("0");
    private final StringProperty panY = new SimpleStringProperty("0");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper();
    private final ReadOnlyObjectWrapper<Frame> preview = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper previewCaption = new ReadOnlyStringWrapper("");
    private final ObservableValue<Frame> current;
    private final IntSupplier nextIndex;

    /**
     * @param current the frame the next frame moves (the live frame), may hold null
     * @param nextIndex the index of the frame whose move the preview shows
     * @param alsoUpdateOn more things the next index depends on
     */
    public AnimationPlanFields(ObservableValue<Frame> current, IntSupplier nextIndex, Observable... alsoUpdateOn) {
        this.current = current;
        this.nextIndex = nextIndex;
        for (Observable o : new Observable[] {frames, stepsPerFrame, firstSteps, zoom, rotate, panX, panY, current}) {
            o.addListener(x -> update());
        }
        for (Observable o : alsoUpdateOn) {
            o.addListener(x -> update());
        }
        update();
    }

    /** @return the plan the fields make, or null (then {@link #errorProperty()} says why) */
    public Animation plan() {
        try {
            Animation a = new Animation(integer(frames, "frames"), integer(stepsPerFrame, "steps per frame"),
                    integer(firstSteps, "steps of the first frame"), Keyframes.parse(text(zoom), "zoom"),
                    Keyframes.parse(text(rotate), "rotate"), Keyframes.parse(text(panX), "pan x"),
                    Keyframes.parse(text(panY), "pan y"));
            error.set(null);
            return a;
        } catch (IllegalArgumentException e) {
            error.set(e.getMessage());
            return null;
        }
    }

    /** Shows {@code a} in the fields (an opened session's plan). */
    public void show(Animation a) {
        frames.set(Integer.toString(a.frames()));
        stepsPerFrame.set(Integer.toString(a.stepsPerFrame()));
        firstSteps.set(Integer.toString(a.firstSteps()));
        zoom.set(a.zoom().toSpec());
        rotate.set(a.rotate().toSpec());
        panX.set(a.panX().toSpec());
        panY.set(a.panY().toSpec());
    }

    /** Recomputes the plan's error and the preview. */
    public void update() {
        Animation a = plan();
        Frame f = current.getValue();
        int next = Math.max(1, nextIndex.getAsInt());
        if (a == null || f == null) {
            preview.set(null);
            previewCaption.set(a == null ? "" : "no frame to move yet");
            return;
        }
        FrameTransform move = a.moveInto(next);
        preview.set(moved(f, move, PREVIEW_SIDE));
        previewCaption.set(String.format(Locale.ROOT, "frame %d: zoom %.4g, rotate %.4g°, pan %.4g, %.4g px", next,
                move.zoom(), move.rotate(), move.panX(), move.panY()));
    }

    /**
     * @return {@code f} moved by {@code move}, on a copy whose longer side is at most {@code side} (the pan scaled
     *         with it, so the copy moves as the full frame would)
     */
    static Frame moved(Frame f, FrameTransform move, int side) {
        Frame small = Images.thumbnail(f, side);
        double s = (double) small.width() / f.width();
        return new FrameTransform(move.zoom(), move.rotate(), move.panX() * s, move.panY() * s).apply(small);
    }

    private static int integer(StringProperty p, String what) {
        try {
            return Integer.parseInt(text(p));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, got '" + text(p) + "'");
        }
    }

    private static String text(StringProperty p) {
        return p.get() == null ? "" : p.get().strip();
    }

    public StringProperty framesProperty() {
        return frames;
    }

    public StringProperty stepsPerFrameProperty() {
        return stepsPerFrame;
    }

    public StringProperty firstStepsProperty() {
        return firstSteps;
    }

    public StringProperty zoomProperty() {
        return zoom;
    }

    public StringProperty rotateProperty() {
        return rotate;
    }

    public StringProperty panXProperty() {
        return panX;
    }

    public StringProperty panYProperty() {
        return panY;
    }

    /** @return why the fields make no plan, or null */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** @return the current frame moved by the next frame's move (small), or null */
    public ReadOnlyObjectProperty<Frame> previewProperty() {
        return preview.getReadOnlyProperty();
    }

    /** @return which frame's move the preview shows and its numbers */
    public ReadOnlyStringProperty previewCaptionProperty() {
        return previewCaption.getReadOnlyProperty();
    }
}
