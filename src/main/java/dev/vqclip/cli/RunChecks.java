package dev.vqclip.cli;

import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.vqgan.VqganConfig;
import dev.vqclip.models.ResolvedModels;
import dev.vqclip.session.SessionStore;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Checks the values of a {@code generate} or {@code edit} command line before any model loads (which takes seconds
 * to half a minute with real models), so a typo fails at once with a message naming the option and the value. Only
 * cheap work happens here: parsing, looking at files and folders, reading a VQGAN's yaml for its factor.
 */
final class RunChecks {
    /** The largest side a request accepts (as {@code GenerationRequest}). */
    static final int MAX_SIDE = 8192;
    /** The most cutouts a request accepts (as {@code GenerationRequest}). */
    static final int MAX_CUTOUTS = 1024;

    private RunChecks() {
    }

    /**
     * @param o the run's options
     * @param mo the model options (resolved here, not loaded, to learn the VQGAN's factor)
     * @param err where notes go (a size rounded down)
     * @throws IllegalArgumentException naming the option, the value and what is wrong
     */
    static void beforeModels(GenerateCommand.RunOptions o, ModelOptions mo, PrintWriter err) {
        if (o.prompt != null) {
            try {
                PromptParser.parse(o.prompt);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--prompt: " + e.getMessage(), e);
            }
        }
        if (o.steps < 0) {
            throw new IllegalArgumentException("--steps " + o.steps + ": must be 0 or more (the step to reach)");
        }
        if (o.cutouts < 1 || o.cutouts > MAX_CUTOUTS) {
            throw new IllegalArgumentException("--cutouts " + o.cutouts + ": must be 1 to " + MAX_CUTOUTS
                    + " (the crops of the image CLIP looks at in each step)");
        }
        positive("--cut-pow", o.cutPow);
        positive("--lr", o.lr);
        if (!(o.l2 >= 0) || Double.isInfinite(o.l2)) {
            throw new IllegalArgumentException("--l2 " + o.l2 + ": must be a number of 0 or more");
        }
        if (!(o.l2Decay >= 0 && o.l2Decay <= 1)) {
            throw new IllegalArgumentException("--l2-decay " + o.l2Decay + ": must be between 0 and 1 (the weight "
                    + "is multiplied by 1 - decay at each step)");
        }
        if (o.saveEvery < 0) {
            throw new IllegalArgumentException("--save-every " + o.saveEvery + ": must be 0 (no frames) or more");
        }
        for (String clip : mo.alsoClip) {
            ModelOptions.EnsembleSpec.parse(clip);
        }
        if (!Double.isFinite(mo.clipWeight)) {
            throw new IllegalArgumentException("--clip-weight " + mo.clipWeight + ": must be a finite number");
        }
        for (String ip : o.imagePrompts) {
            GenerateCommand.ImagePromptSpec spec = GenerateCommand.ImagePromptSpec.parse(ip);
            readableImage("--image-prompt", spec.file());
        }
        if (o.resume != null) {
            savedRun(o.resume);
        }
        if (o.paint != null) {
            readableImage("--paint", o.paint);
        }
        outputFile("--out", o.out);
        outputFile("--save-run", o.saveRun);
        if (o.frames != null) {
            outputFolder("--frames", o.frames);
        }
        if (o.size != null) {
            int[] wh = GenerateCommand.parseSize(o.size);
            if (wh[0] > MAX_SIDE || wh[1] > MAX_SIDE) {
                throw new IllegalArgumentException("--size " + o.size + ": each side must be at most " + MAX_SIDE
                        + " pixels");
            }
            if (o.resume == null) {
                fitsTheVqgan(o.size, wh, mo, err);
            }
        }
    }

    private static void positive(String option, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(option + " " + v + ": must be a number greater than 0");
        }
    }

    /** The VQGAN works in cells of factor × factor pixels: a side is rounded down to a multiple of the factor. */
    private static void fitsTheVqgan(String given, int[] wh, ModelOptions mo, PrintWriter err) {
        ResolvedModels rm = mo.resolve(err);
        int f = VqganConfig.load(rm.vqganConfig()).factor();
        int w = wh[0] / f * f;
        int h = wh[1] / f * f;
        if (w < f || h < f) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--size %s: each side must be at least "
                    + "%d pixels, one latent cell of the VQGAN %s (sizes are rounded down to multiples of %d)",
                    given, f, rm.vqganName(), f));
        }
        if (w != wh[0] || h != wh[1]) {
            err.println(String.format(Locale.ROOT, "note: --size %s is rounded down to %dx%d, a multiple of the "
                    + "VQGAN's %d-pixel cells", given, w, h, f));
            err.flush();
        }
    }

    private static void readableImage(String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
        try {
            Images.read(file);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** A saved run to resume: a file, and not the studio's session file (which holds many runs). */
    private static void savedRun(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--resume " + file + ": no such file (give a run saved with "
                    + "vqclip generate --save-run FILE.vqrun)");
        }
        boolean session;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            session = zip.getEntry("run.json") == null && zip.getEntry("manifest.json") != null;
        } catch (ZipException notZip) {
            return; // reading it as a run names the problem
        } catch (IOException e) {
            throw new IllegalArgumentException("--resume " + file + ": cannot be read: " + e.getMessage(), e);
        }
        if (session) {
            throw new IllegalArgumentException("--resume " + file + " is a studio session (" + SessionStore.EXTENSION
                    + "), not a saved run (.vqrun): --resume continues a run saved with vqclip generate --save-run "
                    + "FILE.vqrun. To continue this session, open it in the studio: vqclip studio --open " + file);
        }
    }

    /** A file the command will write: its folder must exist and be writable, and it must not be a folder. */
    private static void outputFile(String option, Path file) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + ": is a folder; give a file name in it");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + file + ": the folder " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(option + " " + file + ": the folder " + dir + " is not writable");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": the file exists and is not writable");
        }
    }

    /** A folder the command will create (with its parents) or write into. */
    private static void outputFolder(String option, Path dir) {
        Path d = dir.toAbsolutePath();
        if (Files.exists(d) && !Files.isDirectory(d)) {
            throw new IllegalArgumentException(option + " " + dir + ": is a file, not a folder");
        }
        Path existing = d;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new IllegalArgumentException(option + " " + dir + ": cannot be created or written ("
                    + existing + " is not a writable folder)");
        }
    }
}
