package dev.vqclip.cli;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl+C (or a plain {@code kill}) during a long command: instead of ending at once, the JVM's shutdown waits while the
 * command stops at its next safe point and keeps what it made (writes its image and run file, or removes a half-made
 * export). The command polls {@link #requested()} and closes this when it has finished; the shutdown waits for that
 * at most the time given.
 */
final class CtrlC implements AutoCloseable {
    private static final Set<CtrlC> ACTIVE = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private final Runnable onRequest;

    private CtrlC(String name, long waitMillis, Runnable onRequest) {
        this.onRequest = onRequest;
        hook = new Thread(() -> {
            request();
            try {
                finished.await(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-ctrl-c");
    }

    /**
     * @param name the command, for the hook thread's name
     * @param waitMillis how long the shutdown waits for the command to keep what it made
     */
    static CtrlC install(String name, long waitMillis) {
        return install(name, waitMillis, () -> { });
    }

    /** As {@link #install(String, long)}, also running {@code onRequest} when Ctrl+C is pressed (e.g. a cancel). */
    static CtrlC install(String name, long waitMillis, Runnable onRequest) {
        CtrlC c = new CtrlC(name, waitMillis, onRequest);
        ACTIVE.add(c);
        Runtime.getRuntime().addShutdownHook(c.hook);
        return c;
    }

    /** @return whether Ctrl+C was pressed (the command should stop at its next safe point) */
    boolean requested() {
        return requested.get();
    }

    /** What the hook does first, for every command in progress (tests press Ctrl+C this way, in-process). */
    static void requestAll() {
        ACTIVE.forEach(CtrlC::request);
    }

    private void request() {
        requested.set(true);
        onRequest.run();
    }

    /** The command finished (kept what it made, or completed): a shutdown in progress may go on. */
    @Override
    public void close() {
        finished.countDown();
        ACTIVE.remove(this);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // shutting down already: the hook is running and now returns
        }
    }
}
