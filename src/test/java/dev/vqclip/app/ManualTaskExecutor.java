package dev.vqclip.app;

import dev.vqclip.app.core.TaskExecutor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * Test executor: engine jobs wait in a queue until the test runs them; UI jobs run at once (or are queued too when
 * {@code queueUi} is set, to observe coalescing). Everything runs on the test thread.
 */
final class ManualTaskExecutor implements TaskExecutor {
    final Deque<Runnable> engine = new ArrayDeque<>();
    final Deque<Runnable> ui = new ArrayDeque<>();
    boolean queueUi;
    boolean shutdown;

    @Override
    public void runOnUi(Runnable r) {
        if (queueUi) {
            ui.add(r);
        } else {
            r.run();
        }
    }

    @Override
    public void runOnEngine(Runnable r) {
        if (!shutdown) {
            engine.add(r);
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    /** Runs queued engine jobs (including ones they queue) until none is left or the limit is hit. */
    int runEngine(int limit) {
        int n = 0;
        while (!engine.isEmpty() && n < limit) {
            engine.poll().run();
            n++;
        }
        return n;
    }

    /** Runs engine jobs until the condition holds; fails after {@code limit} jobs. */
    void runEngineUntil(BooleanSupplier done, int limit) {
        for (int i = 0; i < limit; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            if (engine.isEmpty()) {
                throw new AssertionError("engine queue ran dry before the condition held");
            }
            engine.poll().run();
        }
        if (!done.getAsBoolean()) {
            throw new AssertionError("condition not reached after " + limit + " engine jobs");
        }
    }

    void runUi() {
        while (!ui.isEmpty()) {
            ui.poll().run();
        }
    }
}
