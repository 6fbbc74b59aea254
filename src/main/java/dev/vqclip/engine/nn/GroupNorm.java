package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;

/**
 * Group normalisation as {@code torch.nn.functional.group_norm}: per sample and group, subtract the mean and divide
 * by {@code sqrt(var + eps)} with the biased variance over the group's channels and all spatial positions, then
 * apply a per-channel affine transform.
 *
 * <p>DJL has no group-norm operator. The normalisation is computed as a batch norm in training mode over the input
 * reshaped to {@code (1, N·groups, C/groups·H·W)}: each (sample, group) pair becomes one batch-norm channel, whose
 * statistics are exactly the group statistics. That is one fused, differentiable kernel instead of a chain of
 * reductions and element-wise operations over the whole tensor.
 */
public final class GroupNorm {
    private GroupNorm() {
    }

    /**
     * @param x input of shape (N, C, ...) with C divisible by {@code groups}
     * @param groups number of groups
     * @param gamma per-channel scale: C elements (shape (C) or (1, C, 1, ...)); may be null for none
     * @param beta per-channel shift: C elements; may be null for none
     * @param eps added to the variance
     * @return the normalised array, same shape as {@code x}, owned by {@code x}'s manager
     */
    public static NDArray apply(NDArray x, int groups, NDArray gamma, NDArray beta, float eps) {
        Shape shape = x.getShape();
        if (shape.dimension() < 2) {
            throw new IllegalArgumentException("group norm needs (N, C, ...), got " + shape);
        }
        long n = shape.get(0);
        long c = shape.get(1);
        if (groups <= 0 || c % groups != 0) {
            throw new IllegalArgumentException("group norm: " + c + " channels are not divisible into " + groups
                    + " groups");
        }
        long rows = n * groups;
        long perRow = shape.size() / rows;
        long[] affineShape = new long[shape.dimension()];
        java.util.Arrays.fill(affineShape, 1);
        affineShape[1] = c;
        return Scopes.scoped(x, in -> {
            NDManager m = in.getManager();
            NDArray flat = in.reshape(1, rows, perRow);
            // running statistics are required by the operator; they are scratch here and discarded
            NDArray runMean = m.zeros(new Shape(rows), in.getDataType());
            NDArray runVar = m.ones(new Shape(rows), in.getDataType());
            NDArray ones = m.ones(new Shape(rows), in.getDataType());
            NDArray zeros = m.zeros(new Shape(rows), in.getDataType());
            NDArray normed = BatchNorm.batchNorm(flat, runMean, runVar, ones, zeros, 1, 0.9f, eps, true)
                    .singletonOrThrow().reshape(shape);
            // in place: batch norm's backward needs its input and statistics, not its output
            if (gamma != null) {
                checkAffine("gamma", gamma, c);
                normed.muli(Scopes.viewIn(gamma, m, affineShape));
            }
            if (beta != null) {
                checkAffine("beta", beta, c);
                normed.addi(Scopes.viewIn(beta, m, affineShape));
            }
            return normed;
        });
    }

    private static void checkAffine(String what, NDArray p, long c) {
        if (p.size() != c) {
            throw new IllegalArgumentException("group norm: " + what + " has " + p.size() + " elements for " + c
                    + " channels");
        }
    }
}
