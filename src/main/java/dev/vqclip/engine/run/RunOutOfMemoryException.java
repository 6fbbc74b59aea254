package dev.vqclip.engine.run;

import java.util.Locale;

/**
 * A step ran out of memory (libtorch could not allocate on the CPU or the GPU). The run that throws it kept nothing
 * of that step: z, Adam's moments and the step counter are those of {@link #lastGoodStep()}, so it can be saved and
 * resumed with a smaller size or fewer cutouts.
 */
public final class RunOutOfMemoryException extends StepFailureException {
    private static final long serialVersionUID = 1L;

    private final String advice;

    /**
     * @param failedStep the step that could not be computed (1 for the first)
     * @param lastGoodStep the step the run is at
     * @param device "the CPU" or "GPU 0"
     * @param advice what to lower, e.g. "lower the size to 256x256 (at 32 cutouts) or the cutouts to 8 (at 512x512)"
     * @param cause the engine's error
     */
    public RunOutOfMemoryException(int failedStep, int lastGoodStep, String device, String advice, Throwable cause) {
        super(String.format(Locale.ROOT, "step %d ran out of memory on %s (%s); the run is paused at step %d with "
                + "its state intact: %s", failedStep, device, firstLine(cause), lastGoodStep, advice),
                failedStep, lastGoodStep);
        initCause(cause);
        this.advice = advice;
    }

    /** @return what to lower */
    public String advice() {
        return advice;
    }

    /**
     * Recognises an allocation failure of libtorch in an engine error (or its causes): the CPU allocator's
     * "DefaultCPUAllocator: can't allocate memory" / "not enough memory" and CUDA's "CUDA out of memory".
     */
    public static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("DefaultCPUAllocator: can't allocate memory")
                    || m.contains("DefaultCPUAllocator: not enough memory") || m.contains("CUDA out of memory")
                    || m.contains("CUDA error: out of memory"))) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage()).strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }
}
