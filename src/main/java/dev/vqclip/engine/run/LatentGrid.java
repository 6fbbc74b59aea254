package dev.vqclip.engine.run;

/**
 * The grid of a run's latent: one cell per code, each {@code factor}×{@code factor} pixels of the image (the VQGAN's
 * downsampling factor). Masks and paint snap to it.
 *
 * @param rows latent rows
 * @param cols latent columns
 * @param factor pixels per cell side
 */
public record LatentGrid(int rows, int cols, int factor) {
    public LatentGrid {
        if (rows < 1 || cols < 1 || factor < 1) {
            throw new IllegalArgumentException("latent grid " + rows + "x" + cols + " with factor " + factor
                    + ": each must be at least 1");
        }
    }

    /** @return rows × cols */
    public int cells() {
        return rows * cols;
    }

    /** @return the image width this grid covers, in pixels */
    public int width() {
        return cols * factor;
    }

    /** @return the image height this grid covers, in pixels */
    public int height() {
        return rows * factor;
    }
}
