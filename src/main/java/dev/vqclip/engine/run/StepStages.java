package dev.vqclip.engine.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time of each stage of the optimisation steps a run takes, for {@code vqclip bench step --stages}. The stages
 * follow the step in order: the decoder's forward pass, cutouts and augmentations, CLIP's forward pass (with the
 * loss), CLIP's backward pass (loss to image), the decoder's backward pass (image to z), Adam with the step's one read
 * to the host, and handing memory back. On the CPU every operation returns when its result is computed, so the time
 * between two marks is that stage's; on a GPU work is queued and the marks say little until the step's one read.
 * <p>
 * Not thread-safe: a run's steps run on one thread.
 */
public final class StepStages {
    /** The stages of a step, in order. */
    public enum Stage {
        /** Decoder forward pass (quantisation included). */
        DECODE("decoder forward"),
        /** Cutouts and augmentations. */
        CUTOUTS("cutouts + augmentations"),
        /** CLIP's image encoder, normalisation and the loss. */
        CLIP("CLIP forward + loss"),
        /** Backward from the loss to the image. */
        CLIP_BACKWARD("CLIP backward"),
        /** Backward from the image to z. */
        DECODE_BACKWARD("decoder backward"),
        /** Adam, the codebook clamp and the read of losses and finiteness. */
        ADAM("Adam + read"),
        /** Rendering the frame the step shows. */
        FRAME("frame"),
        /** Handing freed memory back to the system (or scheduling it). */
        HEAP("memory hand-back");

        private final String label;

        Stage(String label) {
            this.label = label;
        }

        /** @return e.g. {@code decoder forward} */
        public String label() {
            return label;
        }
    }

    /** Records nothing. */
    static final StepStages NONE = new StepStages(false);

    private final boolean on;
    private final Map<Stage, Long> nanos = new java.util.EnumMap<>(Stage.class);
    private long last;
    private int steps;

    private StepStages(boolean on) {
        this.on = on;
    }

    /** @return a recorder to hand to {@link Run#recordStages} */
    public static StepStages recorder() {
        return new StepStages(true);
    }

    /** Starts a step's clock. */
    void begin() {
        if (on) {
            last = System.nanoTime();
        }
    }

    /** Ends {@code stage} (the time since the previous mark or {@link #begin}). */
    void mark(Stage stage) {
        if (on) {
            long now = System.nanoTime();
            nanos.merge(stage, now - last, Long::sum);
            last = now;
        }
    }

    /** Counts one finished step. */
    void endStep() {
        if (on) {
            steps++;
        }
    }

    /** Forgets what was recorded (e.g. after a warm-up step). */
    public void reset() {
        nanos.clear();
        steps = 0;
    }

    /** @return seconds per step of each stage, in step order (empty before the first step) */
    public Map<String, Double> secondsPerStep() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (steps > 0) {
            nanos.forEach((k, v) -> out.put(k.label(), v / 1e9 / steps));
        }
        return out;
    }
}
