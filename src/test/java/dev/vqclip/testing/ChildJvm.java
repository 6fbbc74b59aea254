package dev.vqclip.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this test run's class path, for tests that kill a process at a random moment. Its standard output
 * (and error, merged) is read line by line on a daemon thread, so the test can wait for a line the child prints.
 * {@link #kill()} is SIGKILL: the child gets no chance to clean up, as with a power cut or {@code kill -9}.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(Process process) {
        this.process = process;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    seen.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child was killed
            }
        }, "child-output-" + process.pid());
        t.setDaemon(true);
        t.start();
    }

    /**
     * Starts {@code main} with {@code args} in a new JVM (the same java and class path as this one).
     *
     * @param jvmOptions options before the class name, e.g. {@code -Xmx256m}
     */
    public static ChildJvm start(Class<?> main, List<String> jvmOptions, List<String> args, Path workDir)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1"); // starts faster; these children run briefly
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        return new ChildJvm(pb.start());
    }

    /**
     * Waits for a line starting with {@code prefix}.
     *
     * @return the line
     * @throws AssertionError naming what the child printed when it exits or times out first
     */
    public String await(String prefix, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = end - System.nanoTime();
            String line = lines.poll(Math.max(1, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50))),
                    TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && (!process.isAlive() && lines.isEmpty() || left <= 0)) {
                throw new AssertionError("the child never printed '" + prefix + "' ("
                        + (process.isAlive() ? "timed out" : "exit " + process.exitValue()) + "); it printed:\n"
                        + output());
            }
        }
    }

    /** Kills the child with SIGKILL and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " did not die");
        }
    }

    /** @return whether the child is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the child to exit by itself. @return its exit code */
    public int waitFor(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("the child did not finish in " + timeoutMillis + " ms; it printed:\n" + output());
        }
        return process.exitValue();
    }

    /** @return everything the child printed so far */
    public String output() {
        synchronized (seen) {
            return String.join("\n", seen);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
