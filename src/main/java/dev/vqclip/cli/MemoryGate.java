package dev.vqclip.cli;

import dev.vqclip.engine.DeviceMemory;
import dev.vqclip.engine.run.MemoryCheck;
import dev.vqclip.engine.run.RunModels;

/**
 * The memory check of {@code generate}, {@code edit}, {@code animate} and {@code bench step}: before the first step,
 * the run's {@link dev.vqclip.engine.run.MemoryEstimate} against what the device has ({@code --memory-limit} or the system's figures); a
 * run that would not fit is refused with the numbers and the largest size and cutout count that fit.
 */
final class MemoryGate {
    private MemoryGate() {
    }

    /**
     * @param limit the {@code --memory-limit} value, or null
     * @return the check (which fits)
     * @throws IllegalArgumentException naming what the run needs, what the device has and what to lower
     */
    static MemoryCheck require(RunModels models, int width, int height, int cutouts, String limit) {
        MemoryCheck c = check(models, width, height, cutouts, limit);
        if (!c.fits()) {
            throw new IllegalArgumentException(c.message() + (limit == null ? "" : " (or raise --memory-limit)"));
        }
        return c;
    }

    /** @return the check, fitting or not */
    static MemoryCheck check(RunModels models, int width, int height, int cutouts, String limit) {
        return MemoryCheck.forModels(models, width, height, cutouts, limitBytes(limit));
    }

    /** @return the --memory-limit value in bytes, or -1 when not given */
    static long limitBytes(String limit) {
        try {
            return limit == null ? -1 : DeviceMemory.parseSize(limit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--memory-limit: " + e.getMessage(), e);
        }
    }
}
