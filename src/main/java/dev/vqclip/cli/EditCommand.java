package dev.vqclip.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vqclip.engine.clip.ClipImages;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.guide.SelfMask;
import dev.vqclip.engine.guide.SphericalLoss;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.Run;
import dev.vqclip.engine.run.RunModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqclip edit}: the generation loop started from the VQGAN encoding of an image, optionally masked. */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Edit an image with text: start from its encoding; restrict changes with --mask, or let CLIP find"
                + " the region with --replace PHRASE --with PHRASE.")
public final class EditCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    GenerateCommand.RunOptions runOptions;

    @Option(names = "--init", required = true, description = "The image to edit.")
    Path init;

    @Option(names = "--mask", description = "Mask image: white (luminance > 0.5) where the image may change.")
    Path mask;

    @Option(names = "--replace", description = "Phrase naming what to replace (CLIP self-masking finds it).")
    String replace;

    @Option(names = "--with", description = "What to put there (becomes the text prompt).")
    String with;

    @Option(names = "--mask-threshold", description = "Self-mask z-score threshold (default ${DEFAULT-VALUE}).", defaultValue = "1.0")
    double threshold;

    @Option(names = "--keep-weight", description = "Weight of staying close to the original image's embedding when self-masking (default ${DEFAULT-VALUE}).", defaultValue = "0.5")
    double keepWeight;

    @Option(names = "--keep-unmasked-pixels", description = "Composite the original back outside the mask in the output.")
    boolean keepUnmasked;

    @Override
    public Integer call() throws Exception {
        if ((replace == null) != (with == null)) {
            throw new IllegalArgumentException("--replace and --with go together");
        }
        if (replace != null && mask != null) {
            throw new IllegalArgumentException("use either --mask or --replace/--with, not both");
        }
        if (with != null) {
            try {
                PromptParser.parseOne(with);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--with: " + e.getMessage(), e);
            }
        }
        if (!Double.isFinite(threshold) || !Double.isFinite(keepWeight)) {
            throw new IllegalArgumentException("--mask-threshold and --keep-weight must be finite numbers");
        }
        Images.read(init); // fail early, naming the file, before loading models
        if (mask != null) {
            Images.read(mask);
        }
        return runOptions.execute(modelOptions, new Setup());
    }

    private final class Setup implements GenerateCommand.EditSetup {
        @Override
        public boolean hasPrompt() {
            return with != null;
        }

        @Override
        public java.util.List<dev.vqclip.engine.guide.Prompt> prompts(java.util.List<dev.vqclip.engine.guide.Prompt> given) {
            if (with == null) {
                return given;
            }
            var prompts = new java.util.ArrayList<>(given);
            prompts.add(0, PromptParser.parseOne(with));
            return prompts;
        }

        @Override
        public GenerationRequest adapt(GenerationRequest r) {
            return r.withInitImage(init).withKeepUnmaskedPixels(keepUnmasked);
        }

        @Override
        public void apply(Run run, RunModels models) {
            LatentGrid grid = run.latentGrid();
            int w = grid.cols() * grid.factor();
            int h = grid.rows() * grid.factor();
            Frame source = Images.coverAndCrop(Images.read(init), w, h);
            if (mask != null) {
                Frame m = Images.resize(Images.read(mask), w, h);
                float[] px = new float[w * h];
                for (int i = 0; i < px.length; i++) {
                    int p = m.argb()[i];
                    double lum = (0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff)) / 255;
                    px[i] = (float) lum;
                }
                LatentMask lm = LatentMask.fromPixels(px, w, h, grid.factor());
                run.setMask(lm);
                System.err.println(describe(lm, "mask " + mask));
            } else if (replace != null) {
                LatentMask lm = selfMask(models, source, grid);
                run.setMask(lm);
                System.err.println(describe(lm, "self-mask for \"" + replace + "\""));
                try (NDManager sm = NDManager.newBaseManager(models.device())) {
                    float[] e = ClipImages.embedding(models.clip(), source, sm);
                    run.addTarget("original image", e, keepWeight);
                }
            }
        }

        private LatentMask selfMask(RunModels models, Frame source, LatentGrid grid) {
            var clip = models.clip();
            try (NDManager sm = NDManager.newBaseManager(models.device())) {
                long[][] tokens = {models.tokenizer().tokenize(replace, clip.contextLength(), true)};
                NDArray target = SphericalLoss.normalize(clip.encodeText(sm, tokens));
                NDArray img = Images.toTensor(source, sm);
                SelfMask.HeatMap heat = SelfMask.score(img, target, x -> clip.encodeImage(clip.normalize(x)),
                        clip.imageResolution(), grid.factor(), 32);
                return new LatentMask(grid.rows(), grid.cols(), heat.mask(threshold));
            }
        }

        private String describe(LatentMask m, String what) {
            int on = 0;
            for (float v : m.values()) {
                on += v > 0 ? 1 : 0;
            }
            return String.format(Locale.ROOT, "%s: %d of %d latent cells may change", what, on, m.rows() * m.cols());
        }
    }
}
