package dev.vqclip.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Pattern;

/**
 * Filters what the process writes to its standard error (file descriptor 2) at the level of the descriptor, so it
 * reaches what native libraries print too: libtorch prints "Could not initialize NNPACK! Reason: Unsupported
 * hardware." on CPUs NNPACK does not support, at every convolution that could have used it (3,819 lines in one
 * {@code generate} run, about 2,400 in 8 minutes of the studio), which means nothing to a user: PyTorch then uses
 * its other kernels.
 * <p>
 * {@link #install} (called by {@code cli.Main} before libtorch loads, for the commands and the studio) moves the real
 * standard error to a new descriptor and puts the write end of a pipe in its place; a daemon thread
 * ("vqclip-stderr") reads the pipe and copies every line to the real standard error at once, except whole lines of
 * the {@link #NOISE known noise}, which it counts ({@link #filtered}, shown by {@code vqclip doctor} and Help ▸
 * Diagnostics). Everything else passes unchanged and in order, Java's own {@code System.err} included: a line as
 * soon as its newline (or carriage return, so live progress lines work) arrives; the start of a line at once unless
 * it could be the start of a noise line (it begins with {@code [}), which is held until its end or for at most
 * {@value #HOLD_MILLIS} ms. At shutdown a hook puts the real standard error back, which closes the pipe, and waits
 * for the thread to copy what is left. A process killed outright (SIGKILL, or an abort in native code) can lose what
 * was written in the last instant before, not yet copied; the JVM's own crash report goes to standard output and is
 * not affected.
 * <p>
 * Off with {@code -Dvqclip.stderrFilter=off} or {@code VQCLIP_STDERR_FILTER=off}; only on Linux (elsewhere nothing
 * changes).
 */
public final class NativeStderr {
    /**
     * A kind of line that means nothing to a user.
     *
     * @param what a short name
     * @param line the whole line (without its end)
     * @param why what it means, for the diagnostics report
     */
    public record Noise(String what, Pattern line, String why) {
    }

    /** The lines dropped; libtorch's warnings start with {@code [W<date> <time> <file>:<line>] }. */
    public static final List<Noise> NOISE = List.of(
            new Noise("NNPACK unsupported", Pattern.compile("\\[W[^\\]]*\\] Could not initialize NNPACK! Reason: "
                    + "Unsupported hardware\\.\\s*"), "libtorch: NNPACK does not support this CPU; PyTorch uses its "
                    + "other convolution kernels instead"),
            new Noise("XNNPACK unsupported", Pattern.compile("\\[W[^\\]]*\\] Failed to initialize XNNPACK! Reason: "
                    + "Unsupported hardware\\.\\s*"), "libtorch: XNNPACK does not support this CPU; PyTorch uses its "
                    + "other kernels instead"),
            new Noise("AutoNonVariableTypeMode deprecated", Pattern.compile("\\[W[^\\]]*\\] Warning: "
                    + "AutoNonVariableTypeMode is deprecated .*"), "libtorch: a deprecation notice about a call in "
                    + "DJL's native library, printed once at the first model load; nothing a user can change"));

    /** How long the start of a line that could be noise is held before it is copied anyway. */
    static final int HOLD_MILLIS = 50;
    /** A held line longer than this is copied (noise lines are short). */
    static final int MAX_HELD = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(NativeStderr.class);
    private static final int STDERR = 2;

    private static final AtomicLongArray COUNTS = new AtomicLongArray(NOISE.size());
    private static volatile String state = "not installed";
    private static volatile Boolean terminal;
    private static Thread reader;
    private static int realStderr = -1;

    private NativeStderr() {
    }

    /**
     * Installs the filter once (later calls do nothing). Call before native libraries load.
     *
     * @return whether the filter is in place
     */
    public static synchronized boolean install() {
        if (reader != null) {
            return true;
        }
        String off = System.getProperty("vqclip.stderrFilter", System.getenv("VQCLIP_STDERR_FILTER"));
        if (off != null && off.trim().equalsIgnoreCase("off")) {
            state = "off (asked for with vqclip.stderrFilter / VQCLIP_STDERR_FILTER)";
            return false;
        }
        LibC c = LibC.get();
        if (c == null) {
            state = "not available on this system";
            return false;
        }
        try {
            terminal = c.isatty(STDERR) == 1;
            int[] p = new int[2];
            int real = c.dup(STDERR);
            if (real < 0 || c.pipe(p) != 0) {
                state = "could not be installed (dup/pipe failed)";
                return false;
            }
            System.err.flush();
            if (c.dup2(p[1], STDERR) < 0) {
                c.close(p[0]);
                c.close(p[1]);
                c.close(real);
                state = "could not be installed (dup2 failed)";
                return false;
            }
            c.close(p[1]); // descriptor 2 is now the only write end: putting the real one back closes the pipe
            realStderr = real;
            Copier copier = new Copier(c, p[0], real);
            reader = new Thread(copier, "vqclip-stderr");
            reader.setDaemon(true);
            reader.start();
            Runtime.getRuntime().addShutdownHook(new Thread(NativeStderr::restore, "vqclip-stderr-restore"));
            state = "on";
            return true;
        } catch (RuntimeException | LinkageError e) {
            state = "could not be installed: " + e;
            LOG.debug("the standard error filter could not be installed", e);
            return false;
        }
    }

    /** Puts the real standard error back and waits (up to 2 s) for the copier to drain the pipe. */
    static void restore() {
        Thread t;
        synchronized (NativeStderr.class) {
            t = reader;
            if (t == null || realStderr < 0) {
                return;
            }
            System.err.flush();
            LibC.get().dup2(realStderr, STDERR);
        }
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return whether standard error is a terminal (as it was before the filter put a pipe in its place); where that
     *     cannot be asked, whether the JVM has a console
     */
    public static boolean isTerminal() {
        Boolean t = terminal;
        if (t != null) {
            return t;
        }
        LibC c = LibC.get();
        if (c != null) {
            try {
                return c.isatty(STDERR) == 1;
            } catch (RuntimeException | LinkageError e) {
                // fall through
            }
        }
        return System.console() != null;
    }

    /** @return the count of lines dropped for each kind of noise, in {@link #NOISE} order */
    public static long[] filtered() {
        long[] out = new long[NOISE.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = COUNTS.get(i);
        }
        return out;
    }

    /** @return whether the filter is on, or why not */
    public static String state() {
        return "on".equals(state) ? "on: libtorch warnings that mean nothing to a user are dropped "
                + "(-Dvqclip.stderrFilter=off or VQCLIP_STDERR_FILTER=off shows them)" : state;
    }

    /** @return one line per kind of noise dropped so far: how many lines, and what they mean */
    public static List<String> dropped() {
        List<String> out = new ArrayList<>();
        long[] n = filtered();
        for (int i = 0; i < n.length; i++) {
            if (n[i] > 0) {
                out.add(String.format(Locale.ROOT, "%,d line%s \"%s\": %s", n[i], n[i] == 1 ? "" : "s",
                        NOISE.get(i).what(), NOISE.get(i).why()));
            }
        }
        return out;
    }

    /** Where copied bytes go. */
    interface Sink {
        void write(byte[] b, int off, int len);
    }

    /**
     * The line logic, apart from the descriptors: bytes in, the same bytes out less whole noise lines (counted). A line
     * ends at {@code \n} or {@code \r}; a line's start that could be noise is held until {@link #release}.
     */
    static final class Lines {
        private final Sink sink;
        private final AtomicLongArray counts;
        private final ByteArrayOutputStream held = new ByteArrayOutputStream();
        /** Part of the current line was copied already, so it cannot be a whole noise line. */
        private boolean midLine;

        Lines(Sink sink, AtomicLongArray counts) {
            this.sink = sink;
            this.counts = counts;
        }

        /** Takes {@code n} bytes of the stream. */
        void accept(byte[] b, int n) {
            int i = 0;
            while (i < n) {
                int end = i;
                while (end < n && b[end] != '\n' && b[end] != '\r') {
                    end++;
                }
                if (end < n) {
                    // a whole line (with what was held of it) and its end
                    if (midLine) {
                        sink.write(b, i, end + 1 - i);
                    } else {
                        held.write(b, i, end - i);
                        byte[] line = held.toByteArray();
                        held.reset();
                        if (!drop(line)) {
                            sink.write(line, 0, line.length);
                            sink.write(b, end, 1);
                        } else if (b[end] == '\r' && end + 1 < n && b[end + 1] == '\n') {
                            end++; // a dropped line's CRLF goes with it
                        }
                    }
                    midLine = false;
                    i = end + 1;
                } else {
                    // the start of a line whose end has not arrived
                    if (midLine) {
                        sink.write(b, i, n - i);
                    } else {
                        held.write(b, i, n - i);
                        if (held.size() > MAX_HELD || !couldBeNoise()) {
                            release();
                        }
                    }
                    i = n;
                }
            }
        }

        /** @return whether a line's start is held back */
        boolean holding() {
            return held.size() > 0;
        }

        /** Copies what is held: the line turned out not to be noise (or its end is late). */
        void release() {
            if (held.size() > 0) {
                byte[] h = held.toByteArray();
                held.reset();
                sink.write(h, 0, h.length);
                midLine = true;
            }
        }

        private boolean couldBeNoise() {
            byte[] h = held.toByteArray();
            return h.length > 0 && h[0] == '[';
        }

        private boolean drop(byte[] line) {
            if (line.length == 0 || line[0] != '[') {
                return false;
            }
            String s = new String(line, StandardCharsets.UTF_8);
            for (int k = 0; k < NOISE.size(); k++) {
                if (NOISE.get(k).line().matcher(s).matches()) {
                    counts.incrementAndGet(k);
                    return true;
                }
            }
            return false;
        }
    }

    /** Reads the pipe and copies to the real standard error until the pipe closes. */
    private static final class Copier implements Runnable {
        private final LibC c;
        private final int in;
        private final Lines lines;

        Copier(LibC c, int in, int out) {
            this.c = c;
            this.in = in;
            this.lines = new Lines((b, off, len) -> writeFully(c, out, b, off, len), COUNTS);
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            LibC.PollFd pfd = new LibC.PollFd();
            try {
                while (true) {
                    if (lines.holding()) {
                        pfd.fd = in;
                        pfd.events = LibC.PollFd.POLLIN;
                        pfd.revents = 0;
                        int ready = c.poll(pfd, 1, HOLD_MILLIS);
                        if (ready < 0 && com.sun.jna.Native.getLastError() == 4) { // EINTR
                            continue;
                        }
                        if (ready <= 0) {
                            // nothing more within the hold (or poll failed): the held start goes out now
                            lines.release();
                            continue;
                        }
                    }
                    long n = c.read(in, buf, buf.length);
                    if (n < 0) {
                        int errno = com.sun.jna.Native.getLastError();
                        if (errno == 4) { // EINTR
                            continue;
                        }
                        break;
                    }
                    if (n == 0) {
                        break;
                    }
                    lines.accept(buf, (int) n);
                }
            } finally {
                lines.release();
                c.close(in);
            }
        }
    }

    private static void writeFully(LibC c, int fd, byte[] b, int off, int len) {
        byte[] chunk = off == 0 && len == b.length ? b : java.util.Arrays.copyOfRange(b, off, off + len);
        int done = 0;
        while (done < chunk.length) {
            byte[] rest = done == 0 ? chunk : java.util.Arrays.copyOfRange(chunk, done, chunk.length);
            long w = c.write(fd, rest, rest.length);
            if (w <= 0) {
                if (w < 0 && com.sun.jna.Native.getLastError() == 4) {
                    continue;
                }
                return; // the real standard error is gone: nothing else can be done with the bytes
            }
            done += (int) w;
        }
    }
}
