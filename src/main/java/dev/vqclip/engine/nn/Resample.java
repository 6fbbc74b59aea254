package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Spatial resampling and padding of NCHW tensors. */
public final class Resample {
    private static final int NEAREST = 0;

    private Resample() {
    }

    /**
     * Nearest-neighbour upsampling by 2 along H and W, as {@code F.interpolate(x, scale_factor=2, mode="nearest")}:
     * every input pixel becomes a 2×2 block.
     *
     * @return (N, C, 2H, 2W), owned by {@code x}'s manager
     */
    public static NDArray upsampleNearest2x(NDArray x) {
        Shape s = x.getShape();
        requireNchw(s, "upsample");
        return x.getNDArrayInternal().interpolation(new long[] {2 * s.get(2), 2 * s.get(3)}, NEAREST, false);
    }

    /**
     * Zero padding by one row at the bottom and one column at the right, as {@code F.pad(x, (0, 1, 0, 1))}.
     *
     * @return (N, C, H+1, W+1), owned by {@code x}'s manager
     */
    public static NDArray padRightBottom(NDArray x) {
        requireNchw(x.getShape(), "pad");
        // pairs from the last axis backwards, as torch.nn.functional.pad: (W left, W right, H top, H bottom)
        return x.pad(new Shape(0, 1, 0, 1), 0);
    }

    static void requireNchw(Shape s, String what) {
        if (s.dimension() != 4) {
            throw new IllegalArgumentException(what + " needs an (N, C, H, W) tensor, got " + s);
        }
    }
}
