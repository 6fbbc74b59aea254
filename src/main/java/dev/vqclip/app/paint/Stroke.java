package dev.vqclip.app.paint;

import dev.vqclip.app.layers.LayerModel;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.session.Layers;
import dev.vqclip.session.PixelMask;

/**
 * One brush, eraser or mask stroke in progress: the layers it started from (its undo step), the brush's coverage so
 * far, and the layer it draws into the {@link LayerModel} as the pointer moves. Dabs are laid along each segment
 * ({@link Brushes#dab}); the coverage keeps overlapping dabs of one stroke from piling up opacity.
 */
final class Stroke {
    /** The brush as it was when the stroke began. */
    record Brush(double size, double hardness, double opacity, int colour) {
    }

    private final PaintViewModel.Tool tool;
    private final Layers before;
    private final LayerModel model;
    private final Brush brush;
    private final int width;
    private final int height;
    private final float[] coverage;
    private int[] basePaint;
    private int[] workPaint;
    private float[] baseMask;
    private float[] workMask;
    private double lastX;
    private double lastY;

    /**
     * Begins a stroke at (x, y) with its first dab.
     *
     * @param paint for the brush and eraser: the paint layer, the frame's size (an empty one when there is none yet)
     * @param mask for the mask tools: the mask, the frame's size
     */
    Stroke(PaintViewModel.Tool tool, LayerModel model, Brush brush, int width, int height, Frame paint,
           PixelMask mask, double x, double y) {
        this.tool = tool;
        this.model = model;
        this.brush = brush;
        this.before = new Layers(model.paintLayerProperty().get(), model.maskLayerProperty().get());
        this.width = width;
        this.height = height;
        this.coverage = new float[width * height];
        if (tool == PaintViewModel.Tool.BRUSH || tool == PaintViewModel.Tool.ERASER) {
            basePaint = paint.argb().clone();
            workPaint = basePaint.clone();
        } else {
            baseMask = mask.values();
            workMask = baseMask.clone();
        }
        lastX = x;
        lastY = y;
        apply(Brushes.dab(coverage, width, height, x, y, brush.size(), brush.hardness()));
    }

    /** Continues the stroke to (x, y): dabs are laid along the segment from the previous point. */
    void to(double x, double y) {
        double dx = x - lastX;
        double dy = y - lastY;
        double spacing = Math.max(1.0, brush.size() * 0.15);
        int n = (int) Math.ceil(Math.hypot(dx, dy) / spacing);
        DirtyRect dirty = DirtyRect.EMPTY;
        for (int i = 1; i <= n; i++) {
            dirty = dirty.union(Brushes.dab(coverage, width, height, lastX + dx * i / n, lastY + dy * i / n,
                    brush.size(), brush.hardness()));
        }
        lastX = x;
        lastY = y;
        apply(dirty);
    }

    private void apply(DirtyRect r) {
        if (r.isEmpty()) {
            return;
        }
        switch (tool) {
            case BRUSH -> {
                Brushes.paintOver(basePaint, coverage, workPaint, width, r, brush.colour(), brush.opacity());
                model.paintLayerProperty().set(new Frame(width, height, workPaint.clone()));
            }
            case ERASER -> {
                Brushes.erase(basePaint, coverage, workPaint, width, r, brush.opacity());
                model.paintLayerProperty().set(new Frame(width, height, workPaint.clone()));
            }
            case MASK, MASK_ERASER -> {
                Brushes.mask(baseMask, coverage, workMask, width, r, brush.opacity(),
                        tool == PaintViewModel.Tool.MASK_ERASER);
                model.maskLayerProperty().set(new PixelMask(width, height, workMask));
            }
            default -> {
            }
        }
    }

    /** @return the layers before the stroke: its undo step */
    Layers before() {
        return before;
    }

    /** @return what the Edit menu calls it: "brush stroke", "mask stroke", … */
    String name() {
        return switch (tool) {
            case BRUSH -> "brush stroke";
            case ERASER -> "eraser stroke";
            case MASK -> "mask stroke";
            default -> "paint edit";
        };
    }
}
