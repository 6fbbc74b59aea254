package dev.vqclip.app;

import dev.vqclip.app.core.Frames;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.engine.run.NonFiniteException;
import dev.vqclip.engine.run.RunFactory;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.StepEvent;
import dev.vqclip.engine.run.SteppableRun;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A deterministic stand-in for the VQGAN-CLIP engine. The latent is (1,3,H/8,W/8), initialised from the seed; each
 * step moves it with Adam towards colour targets derived from the prompt texts (weights scale the pull, negative
 * weights push away). Frames render the latent, so they change each step and depend on seed and prompts. Snapshots
 * are exact copies, so restore-then-step equals the uninterrupted run. Optionally burns real CPU per step.
 */
public final class FakeRunFactory implements RunFactory {
    static final int FACTOR = 8;
    private final long busyNanos;
    private final int busyThreads;
    private volatile int failAtStep = -1;
    private volatile int nonFiniteAtStep = -1;
    private volatile int outOfMemoryAtStep = -1;
    /** Prompts in force at each step taken by any run of this factory (step → prompt texts). */
    public final List<String> promptLog = Collections.synchronizedList(new ArrayList<>());
    public volatile int openRuns;
    /** How many times applyPaint rewrote z. */
    public volatile int paintCalls;
    public volatile boolean closed;
    /** "begin N", "end N" for each step, "close run" and "close factory", in the order they happened. */
    public final List<String> events = Collections.synchronizedList(new ArrayList<>());
    /** When set, each step waits (after "begin") until this latch is opened: a step that is in progress for sure. */
    public volatile java.util.concurrent.CountDownLatch holdSteps;
    /** When set, {@link #start} waits until this latch is opened (a slow VQGAN encoding of an opened image). */
    public volatile java.util.concurrent.CountDownLatch holdStart;
    /** True while a step waits on {@link #holdSteps}. */
    public volatile boolean held;
    /** True while a step is being computed. */
    public volatile boolean inStep;
    /** Set when a run or the factory was closed while a step was being computed (never, on one engine thread). */
    public volatile boolean closedDuringStep;
    /** What {@link #isDemo()} answers: the bundled demo models unless a test says published ones. */
    public volatile boolean demo = true;
    /** Threads that stepped, to prove all engine calls happen on one thread. */
    public final java.util.Set<String> stepThreads = Collections.synchronizedSet(new java.util.HashSet<>());

    public FakeRunFactory(long busyMillisPerStep) {
        this(busyMillisPerStep, 1);
    }

    /**
     * @param busyMillisPerStep real CPU time each step burns
     * @param busyThreads how many threads burn it at once, like PyTorch's intra-op threads: the step's thread plus
     *        threads it starts (which inherit its scheduling priority, as PyTorch's OpenMP workers do)
     */
    public FakeRunFactory(long busyMillisPerStep, int busyThreads) {
        this.busyNanos = busyMillisPerStep * 1_000_000L;
        this.busyThreads = busyThreads;
    }

    /**
     * Makes step {@code step} of the next run produce a NaN gradient (once): like the real engine, the fake then
     * refuses the step with a {@link NonFiniteException} and keeps its state before it.
     */
    public void nonFiniteAtStep(int step) {
        nonFiniteAtStep = step;
    }

    /**
     * Makes step {@code step} of the next run fail as the real engine does when libtorch cannot allocate (once):
     * {@link dev.vqclip.engine.run.RunOutOfMemoryException}, nothing of the step kept.
     */
    public void outOfMemoryAtStep(int step) {
        outOfMemoryAtStep = step;
    }

    /** Makes the next run's step {@code step} throw. */
    public void failAtStep(int step) {
        failAtStep = step;
    }

    @Override
    public SteppableRun start(GenerationRequest request) {
        java.util.concurrent.CountDownLatch hold = holdStart;
        if (hold != null) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting");
            }
        }
        int rows = request.height() / FACTOR;
        int cols = request.width() / FACTOR;
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("image too small for the fake engine");
        }
        long[] shape = {1, 3, rows, cols};
        int n = 3 * rows * cols;
        float[] z = new float[n];
        Random r = new Random(request.seed());
        for (int i = 0; i < n; i++) {
            z[i] = (float) r.nextGaussian();
        }
        return new FakeRun(new RunSnapshot(request, 0, shape, z, new float[n], new float[n], null, null));
    }

    @Override
    public SteppableRun resume(RunSnapshot snapshot) {
        return new FakeRun(snapshot);
    }

    @Override
    public String description() {
        return "fake engine (tests)";
    }

    @Override
    public boolean isDemo() {
        return demo;
    }

    @Override
    public void close() {
        closedDuringStep |= inStep;
        events.add("close factory");
        closed = true;
    }

    final class FakeRun implements SteppableRun {
        private RunSnapshot s;
        private boolean closedRun;

        FakeRun(RunSnapshot initial) {
            s = copy(initial);
            openRuns++;
        }

        @Override
        public GenerationRequest request() {
            return s.request();
        }

        @Override
        public int stepCount() {
            return s.step();
        }

        @Override
        public LatentGrid latentGrid() {
            return new LatentGrid(s.rows(), s.cols(), FACTOR);
        }

        @Override
        public StepEvent step(boolean withFrame) {
            if (closedRun) {
                throw new IllegalStateException("run is closed");
            }
            long t0 = System.nanoTime();
            inStep = true;
            events.add("begin " + (s.step() + 1));
            try {
                java.util.concurrent.CountDownLatch hold = holdSteps;
                if (hold != null) {
                    held = true;
                    hold.await();
                    held = false;
                }
                return stepNow(withFrame, t0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted inside a step");
            } finally {
                inStep = false;
                events.add("end " + (s.step()));
            }
        }

        private StepEvent stepNow(boolean withFrame, long t0) {
            stepThreads.add(Thread.currentThread().getName());
            if (failAtStep == s.step() + 1) {
                failAtStep = -1;
                throw new IllegalStateException("simulated engine failure at step " + (s.step() + 1));
            }
            if (outOfMemoryAtStep == s.step() + 1) {
                outOfMemoryAtStep = -1;
                throw new dev.vqclip.engine.run.RunOutOfMemoryException(s.step() + 1, s.step(), "the CPU",
                        "lower the size to 128x128 (at 32 cutouts) or the cutouts to 8 (at 256x256)",
                        new ai.djl.engine.EngineException("DefaultCPUAllocator: can't allocate memory: you tried to "
                                + "allocate 67108864 bytes"));
            }
            promptLog.add((s.step() + 1) + ":" + s.request().prompts().stream().map(Prompt::text).toList());
            float[] z = s.z().clone();
            float[] m = s.adamM().clone();
            float[] v = s.adamV().clone();
            int cells = s.rows() * s.cols();
            List<Double> losses = new ArrayList<>();
            float[] grad = new float[z.length];
            for (Prompt p : s.request().prompts()) {
                float[] target = target(p.text());
                double loss = 0;
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < cells; i++) {
                        int k = c * cells + i;
                        float d = z[k] - target[c];
                        loss += d * d;
                        grad[k] += (float) (p.weight() * 2 * d / cells);
                    }
                }
                losses.add(p.weight() * loss / cells);
            }
            int stepNo = s.step() + 1;
            if (nonFiniteAtStep == stepNo) {
                nonFiniteAtStep = -1;
                java.util.Arrays.fill(grad, Float.NaN);
                losses.replaceAll(l -> Double.NaN);
            }
            double lr = s.request().learningRate();
            double b1 = s.request().beta1();
            double b2 = s.request().beta2();
            double l2 = 0;
            float[] mask = s.mask() == null ? null : s.mask().values();
            for (int k = 0; k < z.length; k++) {
                float g = grad[k] + (float) (2 * s.request().l2Weight() * z[k] / z.length);
                l2 += s.request().l2Weight() * z[k] * z[k] / z.length;
                if (mask != null) {
                    g *= mask[k % cells];
                }
                m[k] = (float) (b1 * m[k] + (1 - b1) * g);
                v[k] = (float) (b2 * v[k] + (1 - b2) * g * g);
                double mh = m[k] / (1 - Math.pow(b1, stepNo));
                double vh = v[k] / (1 - Math.pow(b2, stepNo));
                double update = lr * mh / (Math.sqrt(vh) + 1e-8);
                // like the real run: the update is masked too, so cells at 0 stay bit-identical
                z[k] -= (float) (mask == null ? update : update * mask[k % cells]);
            }
            burn(t0);
            double total = l2 + losses.stream().mapToDouble(Double::doubleValue).sum();
            int bad = nonFinite(z) + nonFinite(m) + nonFinite(v);
            if (!Double.isFinite(total) || bad > 0) {
                // as Run.step: nothing of this step is kept
                throw new NonFiniteException(stepNo, s.step(), Double.isFinite(total) ? "z is not finite"
                        : "the loss is NaN", "z, m and v: NaN in " + bad + " of " + 3 * z.length + " values");
            }
            s = new RunSnapshot(s.request(), stepNo, s.shape(), z, m, v, s.mask(), s.original());
            return new StepEvent(stepNo, s.request().steps(), losses, l2, total, withFrame ? frame() : null,
                    (System.nanoTime() - t0) / 1e9);
        }

        private static int nonFinite(float[] a) {
            int n = 0;
            for (float x : a) {
                n += Float.isFinite(x) ? 0 : 1;
            }
            return n;
        }

        private void burn(long t0) {
            List<Thread> helpers = new ArrayList<>();
            for (int i = 1; i < busyThreads; i++) {
                Thread h = new Thread(() -> spin(t0), "fake-intra-op-" + i);
                h.start();
                helpers.add(h);
            }
            spin(t0);
            for (Thread h : helpers) {
                try {
                    h.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void spin(long t0) {
            double acc = 0;
            while (System.nanoTime() - t0 < busyNanos) {
                for (int i = 0; i < 1000; i++) {
                    acc += Math.sin(i * acc + 1e-3);
                }
            }
            if (acc == 42.4242) {
                System.out.print("");
            }
        }

        @Override
        public Frame frame() {
            int rows = s.rows();
            int cols = s.cols();
            int w = cols * FACTOR;
            int h = rows * FACTOR;
            int cells = rows * cols;
            float[] z = s.z();
            int[] px = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (y / FACTOR) * cols + x / FACTOR;
                    int shade = ((x % FACTOR) + (y % FACTOR)) * 2;
                    int r = to8(z[i]) ^ shade;
                    int g = to8(z[cells + i]);
                    int b = to8(z[2 * cells + i]);
                    px[y * w + x] = 0xff000000 | r << 16 | g << 8 | b;
                }
            }
            return new Frame(w, h, px);
        }

        @Override
        public void setPrompts(List<Prompt> prompts) {
            s = new RunSnapshot(s.request().withPrompts(prompts), s.step(), s.shape(), s.z(), s.adamM(), s.adamV(),
                    s.mask(), s.original());
        }

        @Override
        public void setLearningRate(double lr) {
            s = new RunSnapshot(s.request().withLearningRate(lr), s.step(), s.shape(), s.z(), s.adamM(), s.adamV(),
                    s.mask(), s.original());
        }

        @Override
        public void setMask(LatentMask mask) {
            s = new RunSnapshot(s.request(), s.step(), s.shape(), s.z(), s.adamM(), s.adamV(), mask, s.original());
        }

        /** Painted cells get the latent whose render is the mean colour of the painted pixels there (green/blue). */
        @Override
        public int applyPaint(Frame edited, boolean[] painted) {
            int rows = s.rows();
            int cols = s.cols();
            int w = cols * FACTOR;
            int h = rows * FACTOR;
            if (edited.width() != w || edited.height() != h || painted.length != w * h) {
                throw new IllegalArgumentException("painted image is " + edited.width() + "x" + edited.height()
                        + " but the run's frames are " + w + "x" + h);
            }
            int cells = rows * cols;
            double[][] sum = new double[cells][3];
            int[] count = new int[cells];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (painted[y * w + x]) {
                        int c = (y / FACTOR) * cols + x / FACTOR;
                        int p = edited.pixel(x, y);
                        sum[c][0] += (p >> 16) & 0xff;
                        sum[c][1] += (p >> 8) & 0xff;
                        sum[c][2] += p & 0xff;
                        count[c]++;
                    }
                }
            }
            float[] z = s.z().clone();
            float[] m = s.adamM().clone();
            float[] v = s.adamV().clone();
            int changed = 0;
            for (int c = 0; c < cells; c++) {
                if (count[c] > 0) {
                    changed++;
                    for (int ch = 0; ch < 3; ch++) {
                        z[ch * cells + c] = fromByte(sum[c][ch] / count[c]);
                        m[ch * cells + c] = 0f;
                        v[ch * cells + c] = 0f;
                    }
                }
            }
            s = new RunSnapshot(s.request(), s.step(), s.shape(), z, m, v, s.mask(), s.original());
            paintCalls++;
            return changed;
        }

        /** Scores each cell by how close its colour is to the phrase's colour target (standardised). */
        @Override
        public dev.vqclip.engine.guide.SelfMask.HeatMap selfMask(String phrase) {
            if (phrase == null || phrase.isBlank()) {
                throw new IllegalArgumentException("type what to select");
            }
            float[] t = target(phrase.strip());
            int cells = s.rows() * s.cols();
            float[] z = s.z();
            float[] score = new float[cells];
            double mean = 0;
            for (int i = 0; i < cells; i++) {
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    d += (z[c * cells + i] - t[c]) * (z[c * cells + i] - t[c]);
                }
                score[i] = (float) -Math.sqrt(d);
                mean += score[i];
            }
            mean /= cells;
            double var = 0;
            for (float x : score) {
                var += (x - mean) * (x - mean);
            }
            double sd = Math.sqrt(var / cells) + 1e-6;
            for (int i = 0; i < cells; i++) {
                score[i] = (float) ((score[i] - mean) / sd);
            }
            return new dev.vqclip.engine.guide.SelfMask.HeatMap(s.rows(), s.cols(), score, cells);
        }

        @Override
        public RunSnapshot snapshot() {
            return copy(s);
        }

        @Override
        public void restore(RunSnapshot snapshot) {
            s = copy(snapshot);
        }

        @Override
        public void close() {
            if (!closedRun) {
                closedDuringStep |= inStep;
                events.add("close run");
                closedRun = true;
                openRuns--;
            }
        }
    }

    static RunSnapshot copy(RunSnapshot s) {
        return new RunSnapshot(s.request(), s.step(), s.shape().clone(), s.z().clone(), s.adamM().clone(),
                s.adamV().clone(), s.mask(), s.original() == null ? null : s.original().clone());
    }

    /** Colour target of a prompt text in latent units. */
    static float[] target(String text) {
        Random r = new Random(text.hashCode());
        return new float[] {(float) r.nextGaussian() * 2, (float) r.nextGaussian() * 2, (float) r.nextGaussian() * 2};
    }

    /** Inverse of {@link #to8}: the latent value that renders as {@code b} (0..255). */
    static float fromByte(double b) {
        double p = Math.max(0.5, Math.min(254.5, b)) / 255.0;
        return (float) Math.log(p / (1 - p));
    }

    private static int to8(float v) {
        return (int) Math.round(255.0 / (1.0 + Math.exp(-v)));
    }
}
