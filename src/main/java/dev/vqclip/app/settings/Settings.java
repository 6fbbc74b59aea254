package dev.vqclip.app.settings;

import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.GenerationRequest;

import java.util.List;

/**
 * The editable settings of a run as one value (everything of a {@link GenerationRequest} except the prompts), for
 * undo and for building requests.
 */
public record Settings(int width, int height, int steps, long seed, int cutouts, double cutPow, double learningRate,
                       double l2Weight, double l2Decay, Augmentations augmentations) {
    /** @return the paper's defaults */
    public static Settings defaults() {
        return of(GenerationRequest.defaults(List.of(new Prompt("x"))));
    }

    /** @return these settings at another image size */
    public Settings withSize(int w, int h) {
        return new Settings(w, h, steps, seed, cutouts, cutPow, learningRate, l2Weight, l2Decay, augmentations);
    }

    /** @return the settings part of a request */
    public static Settings of(GenerationRequest r) {
        return new Settings(r.width(), r.height(), r.steps(), r.seed(), r.cutouts(), r.cutPow(), r.learningRate(),
                r.l2Weight(), r.l2Decay(), r.augmentations());
    }

    /**
     * @return a request with these settings and the prompts
     * @throws IllegalArgumentException when the prompts are empty or a value is out of range
     */
    public GenerationRequest toRequest(List<Prompt> prompts) {
        GenerationRequest d = GenerationRequest.defaults(prompts);
        return new GenerationRequest(prompts, List.of(), width, height, steps, seed, cutouts, cutPow, learningRate,
                d.beta1(), d.beta2(), l2Weight, l2Decay, augmentations, GenerationRequest.Init.RANDOM_CODES, null,
                false);
    }
}
