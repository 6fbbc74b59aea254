package dev.vqclip.engine.run;

import java.util.Objects;

/**
 * The complete state of a run as plain Java arrays: restoring it and stepping on reproduces the uninterrupted run
 * exactly (on the same device). Cheap to keep many of (a 16×16×256 latent is 256 KiB per array).
 *
 * @param request the request the run follows (prompts and settings as they are now, after edits)
 * @param step steps taken
 * @param shape z's shape (1, C, H, W)
 * @param z the latent
 * @param adamM Adam's first moment
 * @param adamV Adam's second moment
 * @param mask the latent mask, or null for none
 * @param original the latent the edit started from (for "keep unmasked pixels"), or null
 */
public record RunSnapshot(GenerationRequest request, int step, long[] shape, float[] z, float[] adamM, float[] adamV,
                          LatentMask mask, float[] original) {
    public RunSnapshot {
        Objects.requireNonNull(request, "request");
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (shape.length != 4 || z.length != n || adamM.length != n || adamV.length != n) {
            throw new IllegalArgumentException("snapshot arrays do not fit shape " + java.util.Arrays.toString(shape));
        }
        if (original != null && original.length != n) {
            throw new IllegalArgumentException("original latent does not fit shape " + java.util.Arrays.toString(shape));
        }
        if (mask != null && (mask.rows() != shape[2] || mask.cols() != shape[3])) {
            throw new IllegalArgumentException("mask " + mask.rows() + "x" + mask.cols() + " does not fit latent "
                    + shape[2] + "x" + shape[3]);
        }
    }

    /** @return this state following {@code r} instead (prompts or settings changed; the latent stays) */
    public RunSnapshot withRequest(GenerationRequest r) {
        return new RunSnapshot(r, step, shape, z, adamM, adamV, mask, original);
    }

    /** @return this state with {@code latent} as the original that "keep unmasked pixels" keeps (null: none) */
    public RunSnapshot withOriginal(float[] latent) {
        return new RunSnapshot(request, step, shape, z, adamM, adamV, mask, latent);
    }

    public int channels() {
        return (int) shape[1];
    }

    public int rows() {
        return (int) shape[2];
    }

    public int cols() {
        return (int) shape[3];
    }

    /**
     * @return the latent grid of this run (the image size divided by the latent's rows and columns), or null when the
     *         latent does not divide the image evenly
     */
    public LatentGrid latentGrid() {
        int w = request.width();
        int h = request.height();
        if (cols() < 1 || rows() < 1 || w % cols() != 0 || h % rows() != 0 || w / cols() != h / rows()) {
            return null;
        }
        return new LatentGrid(rows(), cols(), w / cols());
    }
}
