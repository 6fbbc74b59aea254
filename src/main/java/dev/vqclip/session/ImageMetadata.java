package dev.vqclip.session;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.run.GenerationRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text an image carries about how it was made: one set of keys, built here for the CLI ({@code generate},
 * {@code edit}, {@code animate}) and the studio's exports alike, and written as UTF-8 {@code iTXt} by
 * {@link dev.vqclip.engine.image.Png}, so prompts in any script read back exactly.
 *
 * <p>Keys: {@code Software}, {@code Title} (the prompts), {@code vqclip.prompts} (in the prompt syntax),
 * {@code vqclip.step}, {@code vqclip.models} (the models or engine that made it), and when a request is known
 * {@code vqclip.seed}, {@code vqclip.settings} (one line to read) and {@code vqclip.request} (the request as JSON, as
 * in {@code run.json}). Callers may add {@code vqclip.frame} (animation frame) or {@code vqclip.scale} (upscaled
 * export).
 */
public final class ImageMetadata {
    /** The {@code Software} value of every image this program writes. */
    public static final String SOFTWARE = "VQGAN-CLIP Studio";

    private ImageMetadata() {
    }

    /** @return the text of an image made by a run of {@code request}, after {@code step} steps */
    public static Map<String, String> of(GenerationRequest request, long step, String models) {
        return of(request.prompts(), request, step, models);
    }

    /**
     * @param prompts the prompts shown with the image (the studio's prompt rows; a request's own prompts otherwise)
     * @param request the request that made the image, or null when none is known (nothing run yet)
     * @param step steps taken
     * @param models what made it: the models' description or the studio's engine
     * @return the keys in a fixed order
     */
    public static Map<String, String> of(List<Prompt> prompts, GenerationRequest request, long step, String models) {
        Map<String, String> md = new LinkedHashMap<>();
        String text = PromptParser.format(prompts);
        md.put("Software", SOFTWARE);
        md.put("Title", text);
        md.put("vqclip.prompts", text);
        md.put("vqclip.step", Long.toString(step));
        if (request != null) {
            md.put("vqclip.seed", Long.toString(request.seed()));
            md.put("vqclip.settings", String.format(Locale.ROOT,
                    "size=%dx%d steps=%d cutouts=%d cut_pow=%s lr=%s betas=%s,%s l2=%s l2_decay=%s augment=%s init=%s",
                    request.width(), request.height(), request.steps(), request.cutouts(), request.cutPow(),
                    request.learningRate(), request.beta1(), request.beta2(), request.l2Weight(), request.l2Decay(),
                    request.augmentations(), request.init()));
        }
        md.put("vqclip.models", models == null ? "" : models);
        if (request != null) {
            md.put("vqclip.request", RequestJson.write(request).toString());
        }
        return md;
    }
}
