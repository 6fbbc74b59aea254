package dev.vqclip.app;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.Frame;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentMask;
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
    private volatile int failAtStep = -1;
    /** Prompts in force at each step taken by any run of this factory (step → prompt texts). */
    public final List<String> promptLog = Collections.synchronizedList(new ArrayList<>());
    public volatile int openRuns;
    public volatile boolean closed;
    /** Threads that stepped, to prove all engine calls happen on one thread. */
    public final java.util.Set<String> stepThreads = Collections.synchronizedSet(new java.util.HashSet<>());

    public FakeRunFactory(long busyMillisPerStep) {
        this.busyNanos = busyMillisPerStep * 1_000_000L;
    }

    /** Makes the next run's step {@code step} throw. */
    public void failAtStep(int step) {
        failAtStep = step;
    }

    @Override
    public SteppableRun start(GenerationRequest request) {
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
        return true;
    }

    @Override
    public void close() {
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
        public int[] latentGrid() {
            return new int[] {s.rows(), s.cols(), FACTOR};
        }

        @Override
        public StepEvent step(boolean withFrame) {
            if (closedRun) {
                throw new IllegalStateException("run is closed");
            }
            long t0 = System.nanoTime();
            stepThreads.add(Thread.currentThread().getName());
            if (failAtStep == s.step() + 1) {
                failAtStep = -1;
                throw new IllegalStateException("simulated engine failure at step " + (s.step() + 1));
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
                z[k] -= (float) (lr * mh / (Math.sqrt(vh) + 1e-8));
            }
            burn(t0);
            s = new RunSnapshot(s.request(), stepNo, s.shape(), z, m, v, s.mask(), s.original());
            double total = l2 + losses.stream().mapToDouble(Double::doubleValue).sum();
            return new StepEvent(stepNo, s.request().steps(), losses, l2, total, withFrame ? frame() : null,
                    (System.nanoTime() - t0) / 1e9);
        }

        private void burn(long t0) {
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

        @Override
        public int applyPaint(Frame edited, boolean[] painted) {
            return 0;
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

    private static int to8(float v) {
        return (int) Math.round(255.0 / (1.0 + Math.exp(-v)));
    }
}
