package dev.vqclip.cli;

import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.Run;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.run.RunOutOfMemoryException;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.StepEvent;
import dev.vqclip.models.DemoModels;
import dev.vqclip.session.ImageMetadata;
import dev.vqclip.session.RunFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqclip generate}: text (and image) prompts to an image, from random codes or from a saved run. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate an image from text prompts (\"a | b:0.5 | c:-1\"), or continue a saved run.")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RunOptions runOptions;

    @Override
    public Integer call() throws Exception {
        return runOptions.execute(modelOptions, null);
    }

    /** Options shared by generate and edit. */
    public static final class RunOptions {
        @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = {"-p", "--prompt", "--story"}, description = "Text prompts: \"text[:weight[:stop]][:FROM-UNTIL[~RAMP]] | ...\". "
                + "A word right after a colon must be a number; write \\: for a colon that belongs to the text. A span makes a "
                + "prompt act only from step FROM to UNTIL (open-ended as FROM-), fading in and out over RAMP steps, "
                + "e.g. --story \"a forest:0-150~20 | a burning forest:130-300~20 | ashes:280-\".")
        String prompt;

        @Option(names = "--image-prompt", paramLabel = "IMG[:WEIGHT]", description = "An image whose CLIP embedding is a target (repeatable).")
        List<String> imagePrompts = new ArrayList<>();

        @Option(names = "--size", paramLabel = "WxH", description = "Output size; rounded down to the VQGAN's factor (default 256x256; "
                + DemoModels.DEFAULT_SIZE + "x" + DemoModels.DEFAULT_SIZE + " with the bundled demo models).")
        String size;

        @Option(names = "--steps", description = "Steps to reach (default ${DEFAULT-VALUE}; with --resume, the step to continue to).", defaultValue = "400")
        int steps;

        @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).", defaultValue = "0")
        long seed;

        @Option(names = "--cutouts", description = "Cutouts per step (default ${DEFAULT-VALUE}).", defaultValue = "32")
        int cutouts;

        @Option(names = "--cut-pow", description = "Cutout size exponent (default ${DEFAULT-VALUE}).", defaultValue = "1.0")
        double cutPow;

        @Option(names = "--lr", description = "Adam learning rate (default ${DEFAULT-VALUE}).", defaultValue = "0.15")
        double lr;

        @Option(names = "--l2", description = "Initial weight of the α·mean(z²) regulariser (default ${DEFAULT-VALUE}).", defaultValue = "0.1")
        double l2;

        @Option(names = "--l2-decay", description = "Per-step decay of that weight (default ${DEFAULT-VALUE}).", defaultValue = "0.005")
        double l2Decay;

        @Option(names = "--no-augment", description = "Turn off all cutout augmentations.")
        boolean noAugment;

        @Option(names = "--init-noise", description = "Start from Gaussian noise instead of random codebook entries.")
        boolean initNoise;

        @Option(names = {"-o", "--out"}, description = "Output PNG (prompt and settings go into its text metadata).")
        Path out;

        @Option(names = "--save-every", description = "Write a frame every N steps into --frames.", defaultValue = "0")
        int saveEvery;

        @Option(names = "--frames", description = "Folder for intermediate frames.")
        Path frames;

        @Option(names = "--save-run", description = "Write the run state (.vqrun) at the end.")
        Path saveRun;

        @Option(names = "--resume", description = "Continue a saved run (.vqrun) up to --steps.")
        Path resume;

        @Option(names = "--paint", description = "With --resume: an edited copy of the run's frame; the latent cells where it differs are re-encoded into z before continuing.")
        Path paint;

        @Option(names = "--quiet", description = "No progress (otherwise: a live line in a terminal, else a line "
                + "with step, it/s, time left and loss every 10 s).")
        boolean quiet;

        Integer execute(ModelOptions mo, EditSetup edit) throws Exception {
            if (prompt == null && imagePrompts.isEmpty() && resume == null && (edit == null || !edit.hasPrompt())) {
                throw new IllegalArgumentException("give --prompt (or --image-prompt, or --resume a saved run)");
            }
            if (paint != null && resume == null) {
                throw new IllegalArgumentException("--paint needs --resume (painting edits a saved run)");
            }
            if (saveEvery > 0 && frames == null) {
                throw new IllegalArgumentException("--save-every needs --frames DIR");
            }
            if (out == null && saveRun == null) {
                throw new IllegalArgumentException("give --out IMAGE.png and/or --save-run RUN.vqrun");
            }
            RunChecks.beforeModels(this, mo, new java.io.PrintWriter(System.err, true));
            RunFile.Loaded loaded = resume == null ? null : RunFile.read(resume);
            if (loaded != null && !mo.anyGiven()) {
                // resume with the very model files the run was made with, found by SHA-256
                mo.useRecorded(loaded, resume, new java.io.PrintWriter(System.err, true));
            }
            try (RunModels models = mo.load(System.err)) {
                Run run;
                if (resume != null) {
                    mo.requireSavedEnsemble(loaded.ensemble(), resume);
                    RunSnapshot s = loaded.snapshot();
                    if (prompt != null) {
                        s = s.withRequest(s.request().withPrompts(PromptParser.parse(prompt)));
                    }
                    if (cutoutsGiven()) {
                        // e.g. fewer cutouts after the run ran out of memory
                        s = s.withRequest(s.request().withCutouts(cutouts));
                    }
                    run = Run.resume(models, s);
                    if (steps < run.stepCount()) {
                        throw new IllegalArgumentException("--steps " + steps + " is before the saved step "
                                + run.stepCount() + " of " + resume);
                    }
                    run.setPlannedSteps(steps);
                    if (paint != null) {
                        applyPaint(run);
                    }
                } else {
                    run = Run.start(models, request(edit, models.demo()));
                    if (edit != null) {
                        edit.apply(run, models);
                    }
                }
                // Ctrl+C stops after the step in progress and keeps the image and the run (see below)
                try (run; CtrlC stop = CtrlC.install("generate", 120_000)) {
                    GenerationRequest r = run.request();
                    MemoryGate.require(models, r.width(), r.height(), r.cutouts(), mo.memoryLimit);
                    run.setMemoryLimit(MemoryGate.limitBytes(mo.memoryLimit));
                    try {
                        loop(run, models, edit != null, stop);
                    } catch (RunOutOfMemoryException e) {
                        // the run is at its last step, intact: keep it so that it can go on with smaller settings
                        Path file = saveRun != null ? saveRun : runFileBeside(out);
                        RunFile.write(file, run.snapshot(), mo.fileHashes(), mo.fileRecords(), mo.ensembleRecord());
                        throw new IllegalStateException(e.getMessage() + ". Saved the run at step "
                                + run.stepCount() + " to " + file + "; continue it with: vqclip generate --resume "
                                + file + " --steps " + steps + " --cutouts N" + (out == null ? "" : " --out " + out)
                                + " (the size of a saved run is fixed)", e);
                    } catch (NonFiniteException e) {
                        // the run is back at its last finite state, but an image or run of a broken optimisation
                        // must not look like a result
                        List<String> skipped = new ArrayList<>();
                        if (out != null) {
                            skipped.add(out.toString());
                        }
                        if (saveRun != null) {
                            skipped.add(saveRun.toString());
                        }
                        throw new IllegalStateException(e.getMessage() + "; nothing was written to "
                                + String.join(" or ", skipped), e);
                    }
                    boolean interrupted = run.stepCount() < steps;
                    Path runFile = saveRun != null ? saveRun : interrupted && out != null ? runFileBeside(out) : null;
                    if (interrupted) {
                        saveRun = runFile;
                    }
                    if (out != null) {
                        Frame f = run.frame();
                        Png.write(out, f, metadata(run, models));
                        System.err.println("wrote " + out + " (" + f.width() + "x" + f.height() + ", step "
                                + run.stepCount() + ")");
                    }
                    if (saveRun != null) {
                        RunFile.write(saveRun, run.snapshot(), mo.fileHashes(), mo.fileRecords(), mo.ensembleRecord());
                        System.err.println("saved run " + saveRun + " at step " + run.stepCount());
                    }
                    if (interrupted) {
                        System.err.println("interrupted at step " + run.stepCount() + " of " + steps
                                + (runFile == null ? "" : "; continue with: vqclip generate --resume " + runFile
                                + " --steps " + steps + (out == null ? "" : " --out " + out)));
                        return 130;
                    }
                }
            }
            return 0;
        }

        /** @return whether --cutouts was on the command line (not its default) */
        private boolean cutoutsGiven() {
            return spec != null && spec.commandLine() != null && spec.commandLine().getParseResult() != null
                    && spec.commandLine().getParseResult().hasMatchedOption("--cutouts");
        }

        /** @return {@code image.vqrun} beside {@code image.png} */
        static Path runFileBeside(Path image) {
            String name = image.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return image.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".vqrun");
        }

        GenerationRequest request(EditSetup edit, boolean demo) {
            List<Prompt> prompts = prompt == null ? List.of() : PromptParser.parse(prompt);
            if (edit != null) {
                prompts = edit.prompts(prompts);
            }
            List<GenerationRequest.ImagePrompt> ips = new ArrayList<>();
            for (String ip : imagePrompts) {
                ImagePromptSpec spec = ImagePromptSpec.parse(ip);
                ips.add(new GenerationRequest.ImagePrompt(spec.file(), spec.weight()));
            }
            int[] wh = size != null ? parseSize(size) : demo
                    ? new int[] {DemoModels.DEFAULT_SIZE, DemoModels.DEFAULT_SIZE} : new int[] {256, 256};
            GenerationRequest r = new GenerationRequest(prompts, ips, wh[0], wh[1], steps, seed, cutouts, cutPow, lr,
                    0.9, 0.999, l2, l2Decay, noAugment ? Augmentations.none() : Augmentations.defaults(),
                    initNoise ? GenerationRequest.Init.NOISE : GenerationRequest.Init.RANDOM_CODES, null, false);
            return edit == null ? r : edit.adapt(r);
        }

        private void applyPaint(Run run) {
            Frame current = run.frame();
            Frame edited = Images.read(paint);
            if (edited.width() != current.width() || edited.height() != current.height()) {
                throw new IllegalArgumentException(paint + " is " + edited.width() + "x" + edited.height()
                        + " but the run's frame is " + current.width() + "x" + current.height());
            }
            boolean[] painted = new boolean[current.argb().length];
            for (int i = 0; i < painted.length; i++) {
                painted[i] = (current.argb()[i] & 0xffffff) != (edited.argb()[i] & 0xffffff);
            }
            int cells = run.applyPaint(edited, painted);
            System.err.println("paint: re-encoded " + cells + " latent cells from " + paint);
        }

        private void loop(Run run, RunModels models, boolean edit, CtrlC stop) throws Exception {
            int start = run.stepCount();
            int total = steps - start;
            if (frames != null) {
                Files.createDirectories(frames);
            }
            StepProgress.Mode mode = StepProgress.mode(quiet || total <= 0,
                    dev.vqclip.engine.NativeStderr.isTerminal());
            try (StepProgress progress = new StepProgress(edit ? "edit" : "generate", start, steps, mode,
                    System.err)) {
                while (run.stepCount() < steps && !stop.requested()) {
                    int next = run.stepCount() + 1;
                    boolean want = saveEvery > 0 && next % saveEvery == 0;
                    StepEvent e = run.step(want);
                    if (want) {
                        Png.write(frames.resolve(String.format(Locale.ROOT, "%05d.png", e.step())), e.frame(),
                                metadata(run, models));
                    }
                    progress.step(e.step(), e.totalLoss());
                }
            }
        }

        /** @return the image text of the run's current frame ({@link ImageMetadata}, the same keys as the studio's) */
        static java.util.Map<String, String> metadata(Run run, RunModels models) {
            return ImageMetadata.of(run.request(), run.stepCount(), models.description());
        }
    }

    /**
     * @return the width and height of {@code WxH}, each a positive whole number
     * @throws IllegalArgumentException naming the value and what is wrong with it
     */
    static int[] parseSize(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x", -1);
        int[] wh = new int[2];
        if (p.length == 2) {
            try {
                wh[0] = Integer.parseInt(p[0].trim());
                wh[1] = Integer.parseInt(p[1].trim());
            } catch (NumberFormatException e) {
                p = null;
            }
        }
        if (p == null || p.length != 2) {
            throw new IllegalArgumentException("--size " + s + ": expected WIDTHxHEIGHT in pixels, e.g. 256x256");
        }
        if (wh[0] <= 0 || wh[1] <= 0) {
            throw new IllegalArgumentException("--size " + s + ": width and height must be positive (pixels; "
                    + "rounded down to multiples of the VQGAN's factor, e.g. 256x256)");
        }
        return wh;
    }

    /**
     * One {@code --image-prompt IMG[:WEIGHT]}: a number after the last colon (not a drive letter's) is the weight.
     *
     * @param file the image
     * @param weight its weight (1 when none is given)
     */
    record ImagePromptSpec(Path file, double weight) {
        static ImagePromptSpec parse(String spec) {
            int c = spec.lastIndexOf(':');
            if (c > 1 && spec.substring(c + 1).matches("[-+0-9.eE]+")) {
                String w = spec.substring(c + 1);
                try {
                    return new ImagePromptSpec(Path.of(spec.substring(0, c)), Double.parseDouble(w));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--image-prompt " + spec + ": '" + w + "' is not a number "
                            + "(IMG:WEIGHT)");
                }
            }
            return new ImagePromptSpec(Path.of(spec), 1);
        }
    }

    /** What edit adds to a run: the init image, the mask or the self-mask. */
    interface EditSetup {
        boolean hasPrompt();

        /** @return the prompts with the edit's own (e.g. the --with phrase) added */
        List<Prompt> prompts(List<Prompt> given);

        GenerationRequest adapt(GenerationRequest r);

        void apply(Run run, RunModels models);
    }

}
