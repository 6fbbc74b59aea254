package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.DeviceMemory;
import dev.vqclip.engine.NativeHeap;
import dev.vqclip.engine.augment.CutoutAugmenter;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.SelfMask;
import dev.vqclip.engine.guide.SphericalLoss;
import dev.vqclip.engine.guide.Target;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.optim.Adam;
import dev.vqclip.engine.vqgan.Vqgan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * One VQGAN-CLIP optimisation: z, Adam's moments, the step counter, targets and mask, stepped on the engine thread.
 *
 * <p>Memory: the run owns a manager (child of the models' device) for its persistent arrays — z, moments, mask,
 * targets — and opens one sub-manager per step, to which the persistent arrays are temporarily attached; everything
 * a step creates is freed when it ends, so native memory stays flat over any number of steps. Randomness of step k
 * is a pure function of (seed, k), so a restored snapshot continues exactly like the uninterrupted run.
 */
public final class Run implements SteppableRun {
    private final RunModels models;
    private final Vqgan vqgan;
    private final Clip clip;
    private final NDManager manager;
    private final Adam adam = new Adam();
    private final int rows;
    private final int cols;
    private final int channels;
    private final int factor;
    private final NDArray z;
    private final NDArray m;
    private final NDArray v;
    private final NDArray codeMin;
    private final NDArray codeMax;
    private NDManager targetManager;
    private List<Target> targets = List.of();
    private NDManager maskManager;
    private NDArray maskArray;
    private LatentMask mask;
    private float[] original;
    private Frame originalFrame;
    private GenerationRequest request;
    /** the cutout augmenter of each CLIP input resolution the run's guides use */
    private Map<Integer, CutoutAugmenter> augmenters;
    /** the targets of the ensemble's further CLIPs ({@link RunModels#moreClips()}), in the same order */
    private List<List<Target>> moreTargets = List.of();
    private int step;
    private int hostReads;
    private boolean clampToCodebook = true;
    private long memoryLimit = -1;
    private StepStages stages = StepStages.NONE;

    /**
     * Creates a run at step 0 with z initialised as the request says.
     *
     * @param models loaded models (not owned: the caller closes them after the run)
     */
    public static Run start(RunModels models, GenerationRequest request) {
        int f = models.vqgan().factor();
        int w = request.width() / f * f;
        int h = request.height() / f * f;
        if (w < f || h < f) {
            throw new IllegalArgumentException("size " + request.width() + "x" + request.height()
                    + " is smaller than one latent cell (" + f + " px)");
        }
        GenerationRequest r = request.withSize(w, h);
        Run run = new Run(models, r, h / f, w / f);
        try {
            float[] z0 = Initialiser.initialLatent(models, r, h / f, w / f);
            run.z.set(z0);
            if (r.init() == GenerationRequest.Init.IMAGE) {
                run.setOriginal(z0);
            }
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    /** Creates a run from a snapshot. */
    public static Run resume(RunModels models, RunSnapshot s) {
        Run run = new Run(models, s.request(), s.rows(), s.cols());
        if (s.channels() != run.channels) {
            run.close();
            throw new IllegalArgumentException("the saved run has " + s.channels() + " latent channels but the loaded"
                    + " VQGAN has " + run.channels + ": it was made with another model");
        }
        try {
            run.restore(s);
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    private Run(RunModels models, GenerationRequest request, int rows, int cols) {
        NativeHeap.beforeRun();
        this.models = models;
        this.vqgan = models.vqgan();
        this.clip = models.clip();
        this.request = request;
        this.rows = rows;
        this.cols = cols;
        this.channels = vqgan.embedDim();
        this.factor = vqgan.factor();
        this.manager = NDManager.newBaseManager(models.device());
        Shape shape = new Shape(1, channels, rows, cols);
        z = manager.zeros(shape);
        m = manager.zeros(shape);
        v = manager.zeros(shape);
        try (NDManager tmp = manager.newSubManager()) {
            NDArray book = vqgan.codebook().duplicate();
            book.attach(tmp);
            codeMin = book.min(new int[] {0}).reshape(1, channels, 1, 1);
            codeMax = book.max(new int[] {0}).reshape(1, channels, 1, 1);
            codeMin.attach(manager);
            codeMax.attach(manager);
        }
        augmenters = newAugmenters(request);
        setPrompts(request.prompts());
    }

    /** One augmenter per input resolution: CLIPs of one resolution share a step's cutout batch. */
    private Map<Integer, CutoutAugmenter> newAugmenters(GenerationRequest r) {
        Map<Integer, CutoutAugmenter> out = new HashMap<>();
        for (ClipGuide g : models.guides()) {
            out.computeIfAbsent(g.clip().imageResolution(),
                    res -> new CutoutAugmenter(res, r.cutouts(), r.cutPow(), r.augmentations()));
        }
        return out;
    }

    /** For the parity test only: the reference chain does not clamp z to the codebook's range. */
    void setClampToCodebook(boolean clamp) {
        this.clampToCodebook = clamp;
    }

    @Override
    public GenerationRequest request() {
        return request;
    }

    @Override
    public int stepCount() {
        return step;
    }

    @Override
    public LatentGrid latentGrid() {
        return new LatentGrid(rows, cols, factor);
    }

    /** @return the models this run uses */
    public RunModels models() {
        return models;
    }

    /**
     * For tests: what the step does to the gradient of z before Adam uses it (the identity in production), so a test
     * can make a step produce a non-finite gradient.
     */
    static volatile UnaryOperator<NDArray> gradientHook = UnaryOperator.identity();

    /** For tests: runs right after Adam's in-place update of z (a test makes the step fail there). */
    static volatile Runnable updateHook = () -> { };

    /**
     * {@inheritDoc}
     *
     * <p>After the forward and backward pass and Adam's update, the losses and one reduction over the gradient, z and
     * both moments are copied to the host together: the step's only wait for the device. A NaN or an infinity in the
     * loss or anywhere in those arrays throws {@link NonFiniteException} (the loss named first) and leaves z, the
     * moments and the step counter as they were before this step.
     */
    @Override
    public StepEvent step(boolean withFrame) {
        try {
            return stepOrThrow(withFrame);
        } catch (RuntimeException e) {
            if (e instanceof RunOutOfMemoryException || !RunOutOfMemoryException.isOutOfMemory(e)) {
                throw e;
            }
            // stepOrThrow changed nothing, or put z, m and v back, before the error left it
            throw new RunOutOfMemoryException(step + 1, step, models.device().isGpu()
                    ? "GPU " + models.device().getDeviceId() : "the CPU", memoryAdvice(), e);
        }
    }

    /**
     * What to lower after an out-of-memory error: the largest size and cutout count that fit what the device has,
     * or, where the estimate thought this run fits (the device's memory is shared, or a limit was set), that fit in
     * the models plus half the memory this run's step was estimated to need.
     */
    private String memoryAdvice() {
        MemoryCheck c = MemoryCheck.forModels(models, request.width(), request.height(), request.cutouts(),
                memoryLimit);
        if (!c.fits()) {
            return c.advice();
        }
        MemoryEstimate e = c.estimate();
        DeviceMemory half = new DeviceMemory(e.totalBytes() - e.stepBytes() / 2, "half of this step's memory");
        return MemoryCheck.of(MemoryEstimate.Models.of(models), request.width(), request.height(), request.cutouts(),
                half).advice();
    }

    private StepEvent stepOrThrow(boolean withFrame) {
        NativeHeap.beforeStep();
        try {
            return stepAndTime(withFrame);
        } finally {
            NativeHeap.afterStep(models.device());
            stages.mark(StepStages.Stage.HEAP);
            stages.endStep();
        }
    }

    private StepEvent stepAndTime(boolean withFrame) {
        long t0 = System.nanoTime();
        double alpha = request.l2Weight() * Math.pow(1 - request.l2Decay(), step);
        StepMath.Result r;
        double[] losses;
        double l2Loss;
        hostReads = 0;
        stages.begin();
        try (NDManager sm = manager.newSubManager()) {
            sm.tempAttachAll(z, m, v);
            NDArray zLeaf = z.duplicate();
            zLeaf.setRequiresGradient(true);
            try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                r = StepMath.run(vqgan, zLeaf, guidance(step), alpha, gc, stages);
            }
            NDArray grad = gradientHook.apply(r.gradZ());
            if (maskArray != null) {
                grad = grad.mul(maskArray);
            }
            NDArray z0 = z.duplicate();
            NDArray m0 = m.duplicate();
            NDArray v0 = v.duplicate();
            float[] read;
            try {
                adam.step(z, m, v, grad, step + 1, request.learningRate(), request.beta1(), request.beta2(),
                        maskArray);
                updateHook.run();
                if (clampToCodebook) {
                    NDArray clamped = z.maximum(codeMin).minimum(codeMax);
                    NDArray change = z.sub(clamped);
                    if (maskArray != null) {
                        change = change.mul(maskArray);
                    }
                    z.subi(change);
                }
                // the step's only copy to the host: the losses and the finiteness of gradient, z and moments, together
                read = readToHost(NDArrays.concat(new NDList(r.lossVector(),
                        Finiteness.probe(grad, z, m, v).reshape(1)), 0));
            } catch (RuntimeException e) {
                // e.g. out of memory half-way through the in-place update: keep the state of the last step
                putBack(z0, m0, v0);
                throw e;
            }
            losses = StepMath.widen(Arrays.copyOf(read, read.length - 2));
            double l2 = read[read.length - 2];
            String badLoss = nonFiniteLoss(losses, l2);
            NonFiniteException failure = null;
            if (badLoss != null) {
                failure = new NonFiniteException(step + 1, step, badLoss, "gradient of z: " + Finiteness.describe(grad));
            } else if (!Float.isFinite(read[read.length - 1])) {
                failure = nonFiniteUpdate(grad);
            }
            if (failure != null) {
                putBack(z0, m0, v0);
                throw failure;
            }
            l2Loss = l2;
            stages.mark(StepStages.Stage.ADAM);
        }
        step++;
        Frame frame = withFrame ? frame() : null;
        if (withFrame) {
            stages.mark(StepStages.Stage.FRAME);
        }
        List<Double> perPrompt = new ArrayList<>();
        double[] lossesThenL2 = Arrays.copyOf(losses, losses.length + 1);
        lossesThenL2[losses.length] = l2Loss;
        for (double l : losses) {
            perPrompt.add(l);
        }
        return new StepEvent(step, request.steps(), perPrompt, l2Loss, StepMath.total(lossesThenL2), frame,
                (System.nanoTime() - t0) / 1e9);
    }

    private void putBack(NDArray z0, NDArray m0, NDArray v0) {
        z.set(new NDIndex(":"), z0);
        m.set(new NDIndex(":"), m0);
        v.set(new NDIndex(":"), v0);
    }

    /** Copies the step's values to the host, counted (a GPU waits for all queued work at every such copy). */
    private float[] readToHost(NDArray a) {
        hostReads++;
        return a.toFloatArray();
    }

    /** @return how many times the last {@link #step} copied values to the host (not counting its frame) */
    int hostReadsOfLastStep() {
        return hostReads;
    }

    /** @return e.g. "the loss is NaN (prompt 1, \"a red apple\": NaN)", or null when the loss is finite */
    private String nonFiniteLoss(double[] l, double l2Loss) {
        StringBuilder parts = new StringBuilder();
        for (int i = 0; i < l.length; i++) {
            if (!Double.isFinite(l[i])) {
                parts.append(parts.length() == 0 ? "" : ", ").append("prompt ").append(i + 1)
                        .append(i < targets.size() ? " \"" + targets.get(i).label() + "\"" : "").append(": ")
                        .append(Finiteness.name(l[i]));
            }
        }
        if (!Double.isFinite(l2Loss)) {
            parts.append(parts.length() == 0 ? "" : ", ").append("regulariser: ").append(Finiteness.name(l2Loss));
        }
        double[] all = Arrays.copyOf(l, l.length + 1);
        all[l.length] = l2Loss;
        double totalLoss = StepMath.total(all);
        if (parts.length() == 0 && Double.isFinite(totalLoss)) {
            return null;
        }
        String total = Double.isFinite(totalLoss) ? "not finite" : Finiteness.name(totalLoss);
        return "the loss is " + total + (parts.length() == 0 ? "" : " (" + parts + ")");
    }

    /** Names what Adam's update made non-finite (z, m and v are still the updated ones here). */
    private NonFiniteException nonFiniteUpdate(NDArray grad) {
        String g = Finiteness.describe(grad);
        String detail = "z: " + Finiteness.describe(z) + "; Adam's first moment: " + Finiteness.describe(m)
                + "; second moment: " + Finiteness.describe(v);
        if (!g.equals("finite")) {
            return new NonFiniteException(step + 1, step, "the gradient of z is not finite", g + "; after the update "
                    + detail);
        }
        return new NonFiniteException(step + 1, step, "z is not finite after Adam's update", detail);
    }

    /** @return the generator of step k's randomness: a pure function of (seed, k) */
    static SplittableRandom randomFor(long seed, int step) {
        long x = seed * 0x9E3779B97F4A7C15L + step * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(x ^ (x >>> 31));
    }

    @Override
    public Frame frame() {
        Frame f = decodeFrame(z);
        if (request.keepUnmaskedPixels() && mask != null && originalFrame != null) {
            f = composite(f, originalFrame);
        }
        return f;
    }

    private Frame decodeFrame(NDArray latent) {
        try (NDManager sm = manager.newSubManager()) {
            sm.tempAttachAll(latent);
            NDArray img = Tensors.div(vqgan.decode(vqgan.quantize(latent).zqExact()).add(1f), 2f).clip(0f, 1f);
            float[] rgb = img.toType(DataType.FLOAT32, false).toFloatArray();
            return Frame.fromPlanarRgb(rgb, cols * factor, rows * factor);
        }
    }

    private Frame composite(Frame current, Frame orig) {
        int w = current.width();
        int[] out = current.argb().clone();
        for (int y = 0; y < current.height(); y++) {
            for (int x = 0; x < w; x++) {
                if (mask.at(y / factor, x / factor) <= 0f) {
                    out[y * w + x] = orig.argb()[y * w + x];
                }
            }
        }
        return new Frame(w, current.height(), out);
    }

    @Override
    public void setPrompts(List<Prompt> prompts) {
        rebuildTargets(request.withPrompts(prompts));
    }

    private void rebuildTargets(GenerationRequest next) {
        NDManager tm = manager.newSubManager();
        try {
            List<Target> t = Targets.build(models, next, tm);
            List<List<Target>> more = new ArrayList<>();
            for (ClipGuide g : models.moreClips()) {
                more.add(Targets.build(g, next, tm));
            }
            if (targetManager != null) {
                targetManager.close();
            }
            targetManager = tm;
            targets = t;
            moreTargets = List.copyOf(more);
            request = next;
        } catch (RuntimeException e) {
            tm.close();
            throw e;
        }
    }

    /**
     * Adds a target that is not a prompt of the request (used by self-masked editing to keep the rest of the image
     * close to the original), compared by this run's first CLIP (the embedding is that CLIP's). Cleared when the
     * prompts change.
     */
    public void addTarget(String label, float[] embedding, double weight) {
        NDArray e = Tensors.fromHost(targetManager, embedding, new Shape(1, embedding.length));
        List<Target> t = new ArrayList<>(targets);
        t.add(new Target(label, SphericalLoss.normalize(e), weight, Double.NEGATIVE_INFINITY));
        targets = List.copyOf(t);
    }

    /**
     * What step {@code taken + 1} compares with: this CLIP's targets, then each further CLIP's. The cutouts of step k
     * come from {@link #randomFor}(seed, k) for every input resolution, so each CLIP sees exactly the cutouts it would
     * see guiding the run alone, and CLIPs of one resolution share one batch.
     */
    private List<StepMath.Guidance> guidance(int taken) {
        Map<Integer, NDArray> batches = new HashMap<>();
        List<StepMath.Guidance> out = new ArrayList<>(1 + moreTargets.size());
        out.add(new StepMath.Guidance(embedding(clip, batches, taken), targetsAt(taken)));
        for (int g = 0; g < moreTargets.size(); g++) {
            List<Target> at = new ArrayList<>();
            for (Target t : moreTargets.get(g)) {
                at.add(t.at(taken));
            }
            out.add(new StepMath.Guidance(embedding(models.moreClips().get(g).clip(), batches, taken), at));
        }
        return out;
    }

    private UnaryOperator<NDArray> embedding(Clip c, Map<Integer, NDArray> batches, int taken) {
        return img -> {
            NDArray batch = batches.computeIfAbsent(c.imageResolution(),
                    res -> augmenters.get(res).apply(img, randomFor(request.seed(), taken)));
            stages.mark(StepStages.Stage.CUTOUTS);
            return c.encodeImage(c.normalize(batch));
        };
    }

    /**
     * @param taken steps taken before the step being computed
     * @return the targets that step uses, in loss order: each prompt's weight times its span's factor (a prompt
     *     outside its span has weight 0, so it adds 0 to the loss and to the gradient)
     */
    public List<Target> targetsAt(int taken) {
        List<Target> out = new ArrayList<>(targets.size());
        for (Target t : targets) {
            out.add(t.at(taken));
        }
        return out;
    }

    /** @return the targets' labels in loss order */
    public List<String> targetLabels() {
        return targets.stream().map(Target::label).toList();
    }

    @Override
    public void setLearningRate(double lr) {
        request = request.withLearningRate(lr);
    }

    /**
     * Sets the memory limit the advice after an out-of-memory error is computed against (the CLI's
     * --memory-limit); -1 (the default) uses the device's own figures.
     */
    public void setMemoryLimit(long bytes) {
        memoryLimit = bytes;
    }

    /** Changes the number of planned steps (the run may go on past it). */
    public void setPlannedSteps(int steps) {
        request = request.withSteps(steps);
    }

    @Override
    public void setMask(LatentMask newMask) {
        if (newMask != null && (newMask.rows() != rows || newMask.cols() != cols)) {
            throw new IllegalArgumentException("mask " + newMask.rows() + "x" + newMask.cols()
                    + " does not fit the latent grid " + rows + "x" + cols);
        }
        if (maskManager != null) {
            maskManager.close();
            maskManager = null;
            maskArray = null;
        }
        mask = newMask;
        if (newMask != null) {
            maskManager = manager.newSubManager();
            maskArray = Tensors.fromHost(maskManager, newMask.values(), new Shape(1, 1, rows, cols));
            if (original == null) {
                setOriginal(z.toFloatArray());
            }
        }
    }

    private void setOriginal(float[] latent) {
        original = latent.clone();
        try (NDManager tmp = manager.newSubManager()) {
            originalFrame = decodeFrame(Tensors.fromHost(tmp, original, z.getShape()));
        }
    }

    /** @return the current mask, or null */
    public LatentMask mask() {
        return mask;
    }

    @Override
    public int applyPaint(Frame edited, boolean[] painted) {
        int w = cols * factor;
        int h = rows * factor;
        if (edited.width() != w || edited.height() != h || painted.length != w * h) {
            throw new IllegalArgumentException("painted image is " + edited.width() + "x" + edited.height()
                    + " but the run's frames are " + w + "x" + h);
        }
        float[] cells = new float[rows * cols];
        int count = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (painted[y * w + x]) {
                    int c = (y / factor) * cols + x / factor;
                    if (cells[c] == 0f) {
                        cells[c] = 1f;
                        count++;
                    }
                }
            }
        }
        if (count == 0) {
            return 0;
        }
        try (NDManager sm = manager.newSubManager()) {
            sm.tempAttachAll(z, m, v);
            NDArray pixels = Tensors.mul(Tensors.fromHost(sm, edited.toPlanarRgb(), new Shape(1, 3, h, w)), 2f).sub(1f);
            NDArray encoded = vqgan.quantize(vqgan.encode(pixels)).zqExact();
            NDArray cellMask = Tensors.fromHost(sm, cells, new Shape(1, 1, rows, cols));
            NDArray keep = cellMask.neg().add(1f);
            // z·1 + e·0 = z exactly outside the painted cells
            NDArray nz = z.mul(keep).add(encoded.mul(cellMask));
            z.set(new NDIndex(":"), nz);
            // a painted cell starts afresh: no momentum from what was there before
            m.set(new NDIndex(":"), m.mul(keep));
            v.set(new NDIndex(":"), v.mul(keep));
        }
        return count;
    }

    /** Scores the phrase over the current frame (what the user sees, with kept pixels composited). */
    @Override
    public SelfMask.HeatMap selfMask(String phrase) {
        if (phrase == null || phrase.isBlank()) {
            throw new IllegalArgumentException("type what to select, e.g. \"the dog\"");
        }
        Frame image = frame();
        try (NDManager sm = manager.newSubManager()) {
            long[][] tokens = {models.tokenizer().tokenize(phrase.strip(), clip.contextLength(), true)};
            NDArray target = SphericalLoss.normalize(clip.encodeText(sm, tokens));
            NDArray img = Images.toTensor(image, sm);
            return SelfMask.score(img, target, x -> clip.encodeImage(clip.normalize(x)), clip.imageResolution(),
                    factor, 32);
        }
    }

    @Override
    public RunSnapshot snapshot() {
        return new RunSnapshot(request, step, new long[] {1, channels, rows, cols}, z.toFloatArray(),
                m.toFloatArray(), v.toFloatArray(), mask, original == null ? null : original.clone());
    }

    @Override
    public void restore(RunSnapshot s) {
        if (s.channels() != channels || s.rows() != rows || s.cols() != cols) {
            throw new IllegalArgumentException("snapshot latent " + Arrays.toString(s.shape())
                    + " does not fit this run's " + Arrays.toString(new long[] {1, channels, rows, cols}));
        }
        z.set(s.z());
        m.set(s.adamM());
        v.set(s.adamV());
        step = s.step();
        GenerationRequest old = request;
        boolean promptsChanged = !s.request().prompts().equals(old.prompts())
                || !s.request().imagePrompts().equals(old.imagePrompts());
        if (promptsChanged || targets.isEmpty()) {
            rebuildTargets(s.request());
        }
        request = s.request();
        if (old.cutouts() != request.cutouts() || old.cutPow() != request.cutPow()
                || !old.augmentations().equals(request.augmentations())) {
            augmenters = newAugmenters(request);
        }
        original = null;
        originalFrame = null;
        if (s.original() != null) {
            setOriginal(s.original());
        }
        setMask(s.mask());
    }

    /** Records the wall time of each stage of the following steps in {@code recorder} (for benchmarks). */
    public void recordStages(StepStages recorder) {
        stages = recorder;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** For tests: the managed state. */
    NDManager manager() {
        return manager;
    }

}
