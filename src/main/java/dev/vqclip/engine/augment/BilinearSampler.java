package dev.vqclip.engine.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.nn.Tensors;

/**
 * Bilinear resampling of a batch of images at arbitrary points: the part of PyTorch's {@code grid_sample} (mode
 * {@code bilinear}) that VQGAN-CLIP's augmentations need, composed from DJL ops because DJL has no grid-sample op.
 *
 * <p>How it works: coordinates are clamped into the image (zeros padding first frames the image with one pixel of
 * zeros, which gives exactly torch's zeros semantics); for every output point the top-left neighbour {@code (x0, y0)}
 * comes from {@code floor} (kept ≤ W−2, H−2 so that all four neighbours are {@code base + {0, 1, W, W+1}}); the four
 * values are read by one {@code gather} per call (batched over images, channels and corners) and blended with the
 * bilinear weights. The result is differentiable with respect to the input image
 * (the gradient of {@code gather} is a scatter-add). Gradients with respect to the coordinates flow through the
 * weights as in PyTorch, but that path is not tested and nothing here relies on it.
 *
 * <p>Coordinates: {@link #sample} takes <b>pixel coordinates</b>: pixel {@code (i, j)} (row i, column j) has its
 * centre at {@code x = j, y = i}, so {@code x ∈ [0, W−1]} spans the centres of the first and last column. An
 * integer coordinate inside the image returns that pixel exactly. {@link #gridSample} takes PyTorch's normalised
 * grid in [−1, 1] and converts it with either {@code align_corners} convention (see {@link #toPixels}).
 *
 * <p>Tensor scoping: every array this class creates, including the result, belongs to the input's manager (it is
 * made by operations on the input); temporaries are closed before returning. The caller owns the result.
 */
public final class BilinearSampler {
    /** What a sample outside the image reads. */
    public enum Padding {
        /** Coordinates are clamped into the image first: the border pixels extend outward (torch {@code border}). */
        BORDER,
        /** Pixels outside the image read as 0 and blend in bilinearly (torch {@code zeros}). */
        ZEROS
    }

    private BilinearSampler() {
    }

    /**
     * Samples {@code input} at pixel coordinates.
     *
     * @param input images N×C×H×W (float32 or float64), any device; may require a gradient
     * @param x column coordinates N×Ho×Wo (pixel units, see the class comment), same device
     * @param y row coordinates N×Ho×Wo
     * @param padding what points outside the image read
     * @return N×C×Ho×Wo in the input's data type, on its device, owned by the input's manager
     * @throws IllegalArgumentException on mismatched shapes or devices
     */
    public static NDArray sample(NDArray input, NDArray x, NDArray y, Padding padding) {
        Shape in = input.getShape();
        if (in.dimension() != 4) {
            throw new IllegalArgumentException("input must be N×C×H×W, got " + in);
        }
        Shape g = x.getShape();
        if (g.dimension() != 3 || !g.equals(y.getShape()) || g.get(0) != in.get(0)) {
            throw new IllegalArgumentException("coordinates must be N×Ho×Wo with N = " + in.get(0) + ", got x "
                    + g + " and y " + y.getShape());
        }
        if (!x.getDevice().equals(input.getDevice()) || !y.getDevice().equals(input.getDevice())) {
            throw new IllegalArgumentException("coordinates are on " + x.getDevice() + "/" + y.getDevice()
                    + " but the input is on " + input.getDevice());
        }
        DataType dt = input.getDataType();
        if (dt != DataType.FLOAT32 && dt != DataType.FLOAT64) {
            throw new IllegalArgumentException("input must be float32 or float64, got " + dt);
        }
        long n = in.get(0);
        long c = in.get(1);
        long h = in.get(2);
        long w = in.get(3);
        long points = g.get(1) * g.get(2);
        try (NDList t = new NDList()) {
            NDArray src = input;
            NDArray xs = keep(t, x.toType(dt, true));
            NDArray ys = keep(t, y.toType(dt, true));
            if (padding == Padding.ZEROS) {
                // a frame of zeros one pixel wide, then border padding of the framed image: beyond one pixel out the
                // clamped coordinates read the frame (0), and within it they blend the edge with 0, as torch does
                src = keep(t, input.pad(new Shape(1, 1, 1, 1), 0));
                xs = keep(t, Tensors.add(xs, 1));
                ys = keep(t, Tensors.add(ys, 1));
                h += 2;
                w += 2;
            }
            xs = clamp(t, xs, 0, w - 1);
            ys = clamp(t, ys, 0, h - 1);
            // a 1-pixel axis is doubled so that the right/lower neighbour always exists (its weight stays 0)
            if (w == 1) {
                src = keep(t, NDArrays.concat(new NDList(src, src), 3));
                w = 2;
            }
            if (h == 1) {
                src = keep(t, NDArrays.concat(new NDList(src, src), 2));
                h = 2;
            }
            // the top-left neighbour is at most (W-2, H-2): at x = W-1 the weight moves entirely to x0 + 1 = W-1,
            // so the four neighbours are always base + {0, 1, W, W+1} and integer coordinates stay exact
            NDArray x0 = keep(t, Tensors.minimum(keep(t, xs.floor()), w - 2));
            NDArray y0 = keep(t, Tensors.minimum(keep(t, ys.floor()), h - 2));
            NDArray wx = keep(t, xs.sub(x0));
            NDArray wy = keep(t, ys.sub(y0));
            NDArray base = keep(t, keep(t, Tensors.mul(keep(t, y0.toType(DataType.INT64, false)), w))
                    .add(keep(t, x0.toType(DataType.INT64, false))));
            NDArray offsets = keep(t, Tensors.fromHost(src.getManager(), new long[] {0, 1, w, w + 1},
                    new Shape(1, 4, 1)));
            if (!offsets.getDevice().equals(src.getDevice())) {
                offsets = keep(t, offsets.toDevice(src.getDevice(), false));
            }
            NDArray index = keep(t, keep(t, base.reshape(n, 1, points)).add(offsets)); // N × 4 × P
            NDArray ry = keep(t, NDArrays.stack(new NDList(keep(t, Tensors.add(keep(t, wy.neg()), 1)), wy), 1));
            NDArray rx = keep(t, NDArrays.stack(new NDList(keep(t, Tensors.add(keep(t, wx.neg()), 1)), wx), 1));
            NDArray weights = keep(t, keep(t, ry.reshape(n, 2, 1, points)).mul(keep(t, rx.reshape(n, 1, 2, points))));
            NDArray flatIndex = keep(t, keep(t, index.reshape(n, 1, 4 * points)).broadcast(n, c, 4 * points));
            NDArray flatInput = keep(t, src.reshape(n, c, h * w));
            NDArray corners = keep(t, keep(t, flatInput.gather(flatIndex, 2)).reshape(n, c, 4, points));
            NDArray blended = keep(t, corners.mul(keep(t, weights.reshape(n, 1, 4, points))));
            return keep(t, blended.sum(new int[] {2})).reshape(n, c, g.get(1), g.get(2));
        }
    }

    /**
     * PyTorch's {@code grid_sample(input, grid, mode="bilinear", padding_mode, align_corners)}.
     *
     * @param input N×C×H×W
     * @param grid N×Ho×Wo×2 normalised coordinates, last axis (x, y), −1 = left/top, +1 = right/bottom
     * @param alignCorners PyTorch's {@code align_corners}
     * @param padding torch's {@code padding_mode} ({@code border} or {@code zeros})
     * @return N×C×Ho×Wo owned by the input's manager
     */
    public static NDArray gridSample(NDArray input, NDArray grid, boolean alignCorners, Padding padding) {
        Shape gs = grid.getShape();
        if (gs.dimension() != 4 || gs.get(3) != 2) {
            throw new IllegalArgumentException("grid must be N×Ho×Wo×2, got " + gs);
        }
        long h = input.getShape().get(2);
        long w = input.getShape().get(3);
        try (NDArray gx = grid.get(new NDIndex("..., 0"));
             NDArray gy = grid.get(new NDIndex("..., 1"));
             NDArray px = toPixels(gx, w, alignCorners);
             NDArray py = toPixels(gy, h, alignCorners)) {
            return sample(input, px, py, padding);
        }
    }

    /**
     * Converts normalised coordinates to pixel coordinates along an axis of {@code size} pixels:
     * {@code align_corners = true}: {@code p = (g + 1)/2 · (size − 1)} (−1 and +1 are the centres of the outer
     * pixels); {@code false}: {@code p = ((g + 1) · size − 1)/2} (−1 and +1 are the outer edges of the outer pixels).
     *
     * @return a new array owned by {@code g}'s manager
     */
    public static NDArray toPixels(NDArray g, long size, boolean alignCorners) {
        try (NDArray shifted = g.add(1)) {
            if (alignCorners) {
                return Tensors.mul(shifted, (size - 1) / 2.0);
            }
            try (NDArray scaled = Tensors.mul(shifted, size / 2.0)) {
                return scaled.sub(0.5);
            }
        }
    }

    /**
     * {@code min(max(a, lo), hi)}. Not {@code NDArray.clip(Number, Number)}: in DJL 0.36's PyTorch engine that leaves
     * two scalar arrays in the manager per call.
     */
    static NDArray clamp(NDList t, NDArray a, double lo, double hi) {
        return keep(t, Tensors.minimum(keep(t, Tensors.maximum(a, lo)), hi));
    }

    private static NDArray keep(NDList temps, NDArray a) {
        temps.add(a);
        return a;
    }
}
