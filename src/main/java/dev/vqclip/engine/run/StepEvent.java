package dev.vqclip.engine.run;

import dev.vqclip.engine.image.Frame;
import java.util.List;

/**
 * What one optimisation step reports: plain values, safe to hand to another thread.
 *
 * @param step the step count after this step (1 after the first step)
 * @param totalSteps the run's planned number of steps
 * @param promptLosses the weighted loss of each prompt, in request order (text prompts, then image prompts)
 * @param l2Loss the regulariser's contribution
 * @param totalLoss the sum that was minimised
 * @param frame the decoded image after the step, or null when not asked for
 * @param seconds wall time of the step
 */
public record StepEvent(int step, int totalSteps, List<Double> promptLosses, double l2Loss, double totalLoss,
                        Frame frame, double seconds) {
    public StepEvent {
        promptLosses = List.copyOf(promptLosses);
    }
}
