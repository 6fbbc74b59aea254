package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.clip.ClipImages;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.SphericalLoss;
import dev.vqclip.engine.guide.Target;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.nn.Tensors;

import java.util.ArrayList;
import java.util.List;

/** Builds the normalised CLIP targets of a request's text and image prompts (no gradients). */
final class Targets {
    private Targets() {
    }

    /**
     * @param out the manager the embeddings are created in (the caller closes it when the prompts change)
     */
    static List<Target> build(RunModels models, GenerationRequest request, NDManager out) {
        return build(models.guides().get(0), request, out);
    }

    /**
     * @param guide the CLIP that embeds the prompts; its weight multiplies every prompt's weight
     * @param out the manager the embeddings are created in
     */
    static List<Target> build(ClipGuide guide, GenerationRequest request, NDManager out) {
        List<Target> targets = new ArrayList<>();
        double w = guide.weight();
        if (!request.prompts().isEmpty()) {
            long[][] tokens = new long[request.prompts().size()][];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = guide.tokenizer().tokenize(request.prompts().get(i).text(),
                        guide.clip().contextLength(), true);
            }
            NDArray features = SphericalLoss.normalize(guide.clip().encodeText(out, tokens));
            for (int i = 0; i < tokens.length; i++) {
                Prompt p = request.prompts().get(i);
                targets.add(new Target(p.text(), features.get(i).reshape(1, -1), p.weight() * w, p.stop(),
                        p.span()));
            }
        }
        for (GenerationRequest.ImagePrompt ip : request.imagePrompts()) {
            float[] e = ClipImages.embedding(guide.clip(), Images.read(ip.image()), out);
            NDArray emb = Tensors.fromHost(out, e, new Shape(1, e.length));
            targets.add(new Target(ip.image().getFileName().toString(), SphericalLoss.normalize(emb),
                    ip.weight() * w, Double.NEGATIVE_INFINITY));
        }
        return targets;
    }
}
