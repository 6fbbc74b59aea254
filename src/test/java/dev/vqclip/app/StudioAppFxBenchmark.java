package dev.vqclip.app;

import javafx.application.Platform;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.vqclip.app.StudioAppFxTest.fx;
import static dev.vqclip.app.StudioAppFxTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How responsive the FX thread stays while the engine saturates the cores: wall-clock figures, printed, never asserted
 * (they depend on the machine and its load; {@code StudioAppFxTest} asserts exactly what the code controls: no engine
 * call on the FX thread, steps coalesced into few FX updates). Tagged slow, so the normal build skips it; run with
 * {@code mvn -o test-compile surefire:test -Dtest=StudioAppFxBenchmark -Dsurefire.excludedGroups=none}.
 * <p>
 * While the fake engine keeps every core busy (each step burns ~50 ms of real CPU on as many threads as there are
 * cores, like PyTorch's intra-op threads; 256×256 frames, history every 5 steps), two probes watch the FX thread
 * for 3 s: a pulse probe (an {@code AnimationTimer}, whose callbacks come once per pulse, about 60 a second; a
 * gap between two is a stall of the UI) and {@code runLater} probes every 10 ms (wall time until one runs, and
 * the FX thread's own CPU time meanwhile, which shows any engine, decode or save work done on it). On an idle
 * machine no stall should exceed 50 ms: the FX thread never waits on the engine, and the scheduler gives a thread
 * that wakes after sleeping a core soon even when the engine (at the process's priority by default, see
 * EnginePriority) saturates them.
 */
@Tag("slow")
class StudioAppFxBenchmark extends StudioFxHarness {
    StudioApp launch(FakeRunFactory engine, long frameIntervalMs) throws Exception {
        return start(engine, new ScriptedDialogs(), frameIntervalMs, null);
    }

    @Test
    void timesTheFxThreadWhileGenerating() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        FakeRunFactory engine = new FakeRunFactory(50, cores);
        StudioApp app = launch(engine, StudioConfig.defaults().frameIntervalMillis());
        StudioViewModel vm = app.viewModel();
        interact(() -> {
            vm.prompts().rows().get(0).textProperty().set("busy");
            vm.settings().widthProperty().set(256);
            vm.settings().heightProperty().set(256);
            vm.settings().historyEveryProperty().set(5);
            vm.start();
        });
        // let the JIT compile the hot paths first (its threads run at normal priority)
        waitUntil(() -> vm.run().progress().stepProperty().get() >= 25, 30);
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long fxId = fx(() -> Thread.currentThread().getId());
        List<Long> pulseGaps = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] lastPulse = {0};
        javafx.animation.AnimationTimer pulses = new javafx.animation.AnimationTimer() {
            @Override
            public void handle(long now) {
                long t = System.nanoTime();
                if (lastPulse[0] != 0) {
                    pulseGaps.add(t - lastPulse[0]);
                    if (t - lastPulse[0] > 33_000_000L) {
                        System.out.printf("GAP %.1f ms at uptime %d ms%n", (t - lastPulse[0]) / 1e6,
                                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
                    }
                }
                lastPulse[0] = t;
            }
        };
        interact(pulses::start);
        int stepsBefore = fx(() -> vm.run().progress().stepProperty().get());
        List<Long> wall = new ArrayList<>();
        long worstFxCpu = 0;
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
            long[] ranAt = {0};
            long cpu0 = mx.getThreadCpuTime(fxId);
            long t0 = System.nanoTime();
            Platform.runLater(() -> {
                ranAt[0] = System.nanoTime(); // on the FX thread: the probe thread's own wake-up is not counted
                ran.countDown();
            });
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            wall.add(ranAt[0] - t0);
            worstFxCpu = Math.max(worstFxCpu, mx.getThreadCpuTime(fxId) - cpu0);
            Thread.sleep(10);
        }
        interact(pulses::stop);
        int steps = fx(() -> vm.run().progress().stepProperty().get()) - stepsBefore;
        interact(() -> vm.run().pause());
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Long> gaps = new ArrayList<>(pulseGaps);
        wall.sort(null);
        gaps.sort(null);
        long worstWall = wall.get(wall.size() - 1);
        long worstGap = gaps.get(gaps.size() - 1);
        System.out.printf(java.util.Locale.ROOT, "bench FX responsiveness while %d steps ran on %d busy threads: %d pulses, "
                        + "gap median %.1f ms, worst %.1f ms; %d runLater probes, round trip median %.1f ms, p95 "
                        + "%.1f ms, worst %.1f ms; FX-thread CPU per probe worst %.1f ms; load average %.1f on %d "
                        + "cores%n", steps, cores, gaps.size() + 1, gaps.get(gaps.size() / 2) / 1e6, worstGap / 1e6,
                wall.size(), wall.get(wall.size() / 2) / 1e6, wall.get(wall.size() * 95 / 100) / 1e6,
                worstWall / 1e6, worstFxCpu / 1e6, load, cores);
        assertThat(steps).as("the engine kept generating meanwhile").isGreaterThan(10);
        assertThat(engine.stepThreads).containsExactly("vqclip-engine");
    }

    static void interact(Runnable r) throws Exception {
        fx(() -> {
            r.run();
            return null;
        });
    }
}
