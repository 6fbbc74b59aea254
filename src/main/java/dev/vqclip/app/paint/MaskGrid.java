package dev.vqclip.app.paint;

import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.Layers;
import dev.vqclip.session.PixelMask;

/**
 * The user's pixel mask seen on the latent token grid, where the engine applies it: a cell is editable when any of
 * its pixels is ({@link LatentMask#fromPixels}); feathering gives the cells around the editable region soft values
 * so the edit blends in.
 */
public final class MaskGrid {
    private MaskGrid() {
    }

    /**
     * @param feather width of the soft edge in cells (0: hard); a cell at distance d (1..feather) from the nearest
     *                editable cell gets {@code 1 - d / (feather + 1)}
     * @return the latent mask, or null when {@code m} is null
     */
    public static LatentMask toLatent(PixelMask m, int factor, int feather) {
        if (m == null) {
            return null;
        }
        LatentMask hard = LatentMask.fromPixels(m.values(), m.width(), m.height(), factor);
        return feather <= 0 ? hard : feather(hard, feather);
    }

    /** @return {@code m} with soft values around its editable (value 1) cells */
    public static LatentMask feather(LatentMask m, int feather) {
        int rows = m.rows();
        int cols = m.cols();
        float[] in = m.values();
        float[] out = in.clone();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (in[r * cols + c] >= 1f) {
                    continue;
                }
                float best = out[r * cols + c];
                for (int dr = -feather; dr <= feather; dr++) {
                    for (int dc = -feather; dc <= feather; dc++) {
                        int rr = r + dr;
                        int cc = c + dc;
                        if (rr < 0 || cc < 0 || rr >= rows || cc >= cols || in[rr * cols + cc] < 1f) {
                            continue;
                        }
                        double d = Math.hypot(dr, dc);
                        if (d <= feather) {
                            best = Math.max(best, (float) (1 - d / (feather + 1)));
                        }
                    }
                }
                out[r * cols + c] = best;
            }
        }
        return new LatentMask(rows, cols, out);
    }

    /**
     * @param cells {@code rows * cols} cell values; a cell counts as editable at ≥ 0.5
     * @return a pixel mask of {@code w × h} where editable cells are 1 (pixels beyond the grid stay 0)
     */
    public static PixelMask fromCells(float[] cells, int rows, int cols, int factor, int w, int h) {
        if (cells.length != rows * cols) {
            throw new IllegalArgumentException("expected " + rows * cols + " cells, got " + cells.length);
        }
        float[] px = new float[w * h];
        for (int y = 0; y < Math.min(h, rows * factor); y++) {
            for (int x = 0; x < Math.min(w, cols * factor); x++) {
                if (cells[(y / factor) * cols + x / factor] >= 0.5f) {
                    px[y * w + x] = 1f;
                }
            }
        }
        return new PixelMask(w, h, px);
    }

    /** @return the mask snapped to whole cells (what the engine sees) and then inverted */
    public static PixelMask invert(PixelMask m, int factor) {
        LatentMask cells = LatentMask.fromPixels(m.values(), m.width(), m.height(), factor).inverted();
        return fromCells(cells.values(), cells.rows(), cells.cols(), factor, m.width(), m.height());
    }

    /** @return how many cells are editable (value > 0) */
    public static int editableCells(LatentMask m) {
        int n = 0;
        for (float v : m.values()) {
            n += v > 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * @return the layers to bring back with an entry: those recorded with it, or for an entry without recorded layers
     *         (from a version-1 session file) its snapshot's latent mask scaled up to pixels and no paint
     */
    public static Layers layersOf(HistoryEntry e) {
        if (e.layers() != null) {
            return e.layers();
        }
        var m = e.snapshot().mask();
        if (m == null) {
            return Layers.NONE;
        }
        int factor = Math.max(1, e.frame().width() / m.cols());
        return new Layers(null, MaskGrid.fromCells(m.values(), m.rows(), m.cols(), factor,
                e.frame().width(), e.frame().height()));
    }

    /** @return a copy of {@code m} with the rectangle {@code r} (clipped to it) fully editable */
    public static PixelMask withRect(PixelMask m, DirtyRect r) {
        float[] v = m.values();
        DirtyRect c = r.clip(m.width(), m.height());
        for (int y = c.y(); y < c.y() + c.height(); y++) {
            for (int x = c.x(); x < c.x() + c.width(); x++) {
                v[y * m.width() + x] = 1f;
            }
        }
        return new PixelMask(m.width(), m.height(), v);
    }
}
