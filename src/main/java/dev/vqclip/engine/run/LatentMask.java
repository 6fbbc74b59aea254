package dev.vqclip.engine.run;

/**
 * Which latent cells the optimisation may change: one value in [0,1] per cell of the {@code rows × cols} token grid
 * (1 = editable). The gradient of z is multiplied by it, so cells at 0 stay bit-identical.
 *
 * @param rows latent grid height
 * @param cols latent grid width
 * @param values {@code rows * cols} values, row-major
 */
public record LatentMask(int rows, int cols, float[] values) {
    public LatentMask {
        if (rows <= 0 || cols <= 0 || values == null || values.length != rows * cols) {
            throw new IllegalArgumentException("latent mask " + rows + "x" + cols + " needs " + rows * cols + " values");
        }
        for (float v : values) {
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("latent mask values must be in [0,1], got " + v);
            }
        }
        values = values.clone();
    }

    /** @return a mask that lets every cell change */
    public static LatentMask all(int rows, int cols) {
        float[] v = new float[rows * cols];
        java.util.Arrays.fill(v, 1f);
        return new LatentMask(rows, cols, v);
    }

    /**
     * Reduces a pixel mask to the latent grid: a cell is editable when any pixel of it is set (a cell the user touched
     * is a cell that may change).
     *
     * @param pixels {@code width * height} values, > 0.5 = editable
     * @param factor pixels per latent cell (the VQGAN's downsampling factor)
     */
    public static LatentMask fromPixels(float[] pixels, int width, int height, int factor) {
        int rows = height / factor;
        int cols = width / factor;
        float[] v = new float[rows * cols];
        for (int y = 0; y < rows * factor; y++) {
            for (int x = 0; x < cols * factor; x++) {
                if (pixels[y * width + x] > 0.5f) {
                    v[(y / factor) * cols + x / factor] = 1f;
                }
            }
        }
        return new LatentMask(rows, cols, v);
    }

    /** @return the mask with 0 and 1 swapped */
    public LatentMask inverted() {
        float[] v = values.clone();
        for (int i = 0; i < v.length; i++) {
            v[i] = 1f - v[i];
        }
        return new LatentMask(rows, cols, v);
    }

    /** @return the values (a copy) */
    @Override
    public float[] values() {
        return values.clone();
    }

    /** @return the value of one cell */
    public float at(int row, int col) {
        return values[row * cols + col];
    }
}
