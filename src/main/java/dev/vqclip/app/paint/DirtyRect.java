package dev.vqclip.app.paint;

/**
 * A rectangle of pixels a brush changed: {@code [x, x + width) × [y, y + height)}. Empty when nothing changed.
 *
 * @param x left column
 * @param y top row
 * @param width columns (0 when empty)
 * @param height rows (0 when empty)
 */
public record DirtyRect(int x, int y, int width, int height) {
    /** Nothing changed. */
    public static final DirtyRect EMPTY = new DirtyRect(0, 0, 0, 0);

    public DirtyRect {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("negative rectangle " + width + "x" + height);
        }
    }

    /** @return the rectangle spanned by two corners (inclusive pixel coordinates), in any order */
    public static DirtyRect spanning(int x0, int y0, int x1, int y1) {
        int x = Math.min(x0, x1);
        int y = Math.min(y0, y1);
        return new DirtyRect(x, y, Math.abs(x1 - x0) + 1, Math.abs(y1 - y0) + 1);
    }

    public boolean isEmpty() {
        return width == 0 || height == 0;
    }

    /** @return the smallest rectangle holding both */
    public DirtyRect union(DirtyRect o) {
        if (isEmpty()) {
            return o;
        }
        if (o.isEmpty()) {
            return this;
        }
        int x0 = Math.min(x, o.x);
        int y0 = Math.min(y, o.y);
        int x1 = Math.max(x + width, o.x + o.width);
        int y1 = Math.max(y + height, o.y + o.height);
        return new DirtyRect(x0, y0, x1 - x0, y1 - y0);
    }

    /** @return this rectangle cut to a {@code w × h} raster */
    public DirtyRect clip(int w, int h) {
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        int x1 = Math.min(w, x + width);
        int y1 = Math.min(h, y + height);
        return x1 <= x0 || y1 <= y0 ? EMPTY : new DirtyRect(x0, y0, x1 - x0, y1 - y0);
    }

    public boolean contains(int px, int py) {
        return px >= x && py >= y && px < x + width && py < y + height;
    }
}
