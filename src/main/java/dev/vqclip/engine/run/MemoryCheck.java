package dev.vqclip.engine.run;

import dev.vqclip.engine.DeviceMemory;

import java.util.Locale;

/**
 * A run's {@link MemoryEstimate} against what the device has, and, where it does not fit, the largest size (same
 * aspect ratio, sides multiples of the VQGAN's factor) at the requested cutouts and the most cutouts at the
 * requested size that do.
 *
 * @param estimate what the run needs
 * @param available what the device has
 * @param largestWidth width of the largest size that fits with the requested cutouts, or 0 (none fits, or it fits)
 * @param largestHeight its height, or 0
 * @param largestCutouts the most cutouts that fit at the requested size, or 0 (none, or it fits)
 */
public record MemoryCheck(MemoryEstimate estimate, DeviceMemory available, int largestWidth, int largestHeight,
                          int largestCutouts) {

    /**
     * @param models the models' description
     * @param width requested width
     * @param height requested height
     * @param cutouts requested cutouts
     * @param available what the device has
     */
    public static MemoryCheck of(MemoryEstimate.Models models, int width, int height, int cutouts,
                                 DeviceMemory available) {
        MemoryEstimate e = MemoryEstimate.of(models, width, height, cutouts);
        if (!available.known() || e.totalBytes() <= available.bytes()) {
            return new MemoryCheck(e, available, 0, 0, 0);
        }
        long budget = available.bytes();
        int f = models.factor();
        int[] size = {0, 0};
        // the longer side shrinks one latent cell at a time, the other keeps the aspect ratio
        boolean wide = e.width() >= e.height();
        int longSide = wide ? e.width() : e.height();
        int shortSide = wide ? e.height() : e.width();
        for (int side = longSide - f; side >= f; side -= f) {
            int other = Math.max(f, (int) ((long) shortSide * side / longSide) / f * f);
            int w = wide ? side : other;
            int h = wide ? other : side;
            if (MemoryEstimate.of(models, w, h, cutouts).totalBytes() <= budget) {
                size = new int[] {w, h};
                break;
            }
        }
        int lo = 0;
        int hi = cutouts - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (MemoryEstimate.of(models, e.width(), e.height(), mid).totalBytes() <= budget) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return new MemoryCheck(e, available, size[0], size[1], lo);
    }

    /**
     * Checks a run on loaded models against their device.
     *
     * @param limitBytes an explicit limit, or -1 for the device's own figures (or the limit property)
     */
    public static MemoryCheck forModels(RunModels models, int width, int height, int cutouts, long limitBytes) {
        MemoryEstimate.Models m = MemoryEstimate.Models.of(models);
        MemoryEstimate e = MemoryEstimate.of(m, width, height, cutouts);
        return of(m, width, height, cutouts, DeviceMemory.of(models.device(), limitBytes,
                e.overheadBytes() + e.weightBytes()));
    }

    /** @return whether the run is expected to fit (or nothing is known about the device) */
    public boolean fits() {
        return !available.known() || estimate.totalBytes() <= available.bytes();
    }

    /**
     * @return what to lower, e.g. "lower the size to 384x384 (at 32 cutouts) or the cutouts to 12 (at 512x512)", or
     *     a sentence saying that even the smallest run does not fit
     */
    public String advice() {
        StringBuilder b = new StringBuilder();
        if (largestWidth > 0) {
            b.append(String.format(Locale.ROOT, "lower the size to %dx%d (at %d cutouts)", largestWidth,
                    largestHeight, estimate.cutouts()));
        }
        if (largestCutouts > 0) {
            b.append(b.length() == 0 ? "lower" : " or").append(String.format(Locale.ROOT,
                    " the cutouts to %d (at %dx%d)", largestCutouts, estimate.width(), estimate.height()));
        }
        if (b.length() == 0) {
            return "even the smallest size and 1 cutout do not fit: free memory, use a smaller model or another "
                    + "device";
        }
        return b.toString();
    }

    /** @return e.g. "not enough memory: 512x512 with 32 cutouts needs about 8.31 GiB (...), but there are 8.00 GiB (the memory limit); lower ..." */
    public String message() {
        return "not enough memory: " + estimate.describe() + ", but there are " + DeviceMemory.gib(available.bytes())
                + " (" + available.source() + "); " + advice();
    }
}
