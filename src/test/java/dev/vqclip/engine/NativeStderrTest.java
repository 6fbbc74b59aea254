package dev.vqclip.engine;

import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The standard-error filter: libtorch's noise is dropped and counted, everything else passes unchanged and at once. */
class NativeStderrTest {
    private static final String NNPACK = NativeStderrChild.NNPACK;

    /** Runs the line logic over {@code input} cut into pieces of {@code chunk} bytes. */
    private static String filter(String input, int chunk, AtomicLongArray counts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NativeStderr.Lines lines = new NativeStderr.Lines(out::write, counts);
        byte[] b = input.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += chunk) {
            byte[] piece = java.util.Arrays.copyOfRange(b, i, Math.min(b.length, i + chunk));
            lines.accept(piece, piece.length);
        }
        lines.release();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noiseLinesAreDroppedAndCountedWhateverTheChunksAndTheRestPassesUnchanged() {
        String real = "[W1206 00:38:44.000000001 Conv.cpp:7] Warning: a real warning\n"
                + "terminate called after throwing an instance of 'c10::Error'\n"
                + "\rgenerate: step 4/5 (80%), 4.00 it/s, 0:01 left, loss 1.7025"
                + "\rgenerate: step 5/5 (100%), 5.00 it/s, took 0:01, loss 1.6468\n"
                + "[not noise] Could not initialize NNPACK! Reason: Unsupported hardware.\n"
                + "no end";
        String input = NNPACK.repeat(3) + real.substring(0, 60) + NNPACK + real.substring(60) ;
        // the noise line in the middle of a real line is not a whole line: it must pass
        for (int chunk : new int[] {1, 7, 64, 100_000}) {
            AtomicLongArray counts = new AtomicLongArray(NativeStderr.NOISE.size());
            String out = filter(input, chunk, counts);
            assertThat(out).as("chunks of %d", chunk).isEqualTo(real.substring(0, 60) + NNPACK + real.substring(60));
            assertThat(counts.get(0)).as("chunks of %d", chunk).isEqualTo(3);
        }
        AtomicLongArray counts = new AtomicLongArray(NativeStderr.NOISE.size());
        assertThat(filter(NNPACK.repeat(1000) + "real\n" + NNPACK.replace("\n", "\r\n"), 512, counts))
                .isEqualTo("real\n");
        assertThat(counts.get(0)).isEqualTo(1001);
    }

    @Test
    void theStartOfALineThatCannotBeNoisePassesAtOnceAndOneThatCouldIsHeldOnlyUntilReleased() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NativeStderr.Lines lines = new NativeStderr.Lines(out::write, new AtomicLongArray(NativeStderr.NOISE.size()));
        byte[] live = "\rstep 3/9".getBytes(StandardCharsets.UTF_8);
        lines.accept(live, live.length);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("\rstep 3/9");
        assertThat(lines.holding()).isFalse();
        byte[] bracket = "\n[W maybe".getBytes(StandardCharsets.UTF_8);
        lines.accept(bracket, bracket.length);
        assertThat(lines.holding()).isTrue();
        lines.release();
        byte[] rest = " Could not initialize NNPACK! Reason: Unsupported hardware.\n".getBytes(StandardCharsets.UTF_8);
        lines.accept(rest, rest.length);
        assertThat(out.toString(StandardCharsets.UTF_8)).as("a released start is never dropped afterwards")
                .isEqualTo("\rstep 3/9\n[W maybe Could not initialize NNPACK! Reason: Unsupported hardware.\n");
    }

    @Test
    void inAChildProcessNativeNoiseIsDroppedRealLinesArrivePromptlyAndNothingIsLostAtExit() throws Exception {
        assumeTrue(Platform.isLinux(), "the filter works on descriptors on Linux");
        int n = 500;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), NativeStderrChild.class.getName(), Integer.toString(n)));
        Process p = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> copy(p.getErrorStream(), err));
        Thread drainOut = new Thread(() -> copy(p.getInputStream(), stdout));
        drain.start();
        drainOut.start();
        OutputStream toChild = p.getOutputStream();
        try {
            // each step waits (at most 10 s, a bound for a hang) for output the child wrote and then waits on
            waitFor(err, "real line\n");
            toChild.write('\n');
            toChild.flush();
            waitFor(err, "live 50%");
            toChild.write('\n');
            toChild.flush();
            waitFor(err, "[held start");
            toChild.write('\n');
            toChild.flush();
            waitFor(err, "from System.err\n");
            toChild.write('\n');
            toChild.flush();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            drain.join(10_000);
            drainOut.join(10_000);
        } finally {
            p.destroyForcibly();
        }
        String out = stdout.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("installed true").contains("dropped " + (2 * n));
        assertThat(out).contains("on: libtorch warnings that mean nothing to a user are dropped")
                .contains("1,000 lines \"NNPACK unsupported\": libtorch: NNPACK does not support this CPU");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
                "[W1206 00:38:44.000000001 Conv.cpp:7] Warning: a real warning\n"
                + "real line\n"
                + "live 50%[held start end\n"
                + "from System.err\n"
                + "last words without an end");
    }

    @Test
    void theDiagnosticsReportSaysWhatTheFilterDid() {
        String report = dev.vqclip.engine.check.Diagnostics.report("vqclip test", null, null);
        // in this test process the filter is not installed (only Main.main installs it)
        assertThat(report).contains("Standard error\n  filter           not installed\n"
                + "  dropped          nothing so far\n");
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        byte[] b = new byte[4096];
        try {
            for (int r; (r = in.read(b)) > 0; ) {
                synchronized (to) {
                    to.write(b, 0, r);
                }
            }
        } catch (java.io.IOException e) {
            // the child ended
        }
    }

    private static void waitFor(ByteArrayOutputStream err, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            synchronized (err) {
                if (err.toString(StandardCharsets.UTF_8).endsWith(text)) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        synchronized (err) {
            assertThat(err.toString(StandardCharsets.UTF_8)).as("arrived while the child waits").endsWith(text);
        }
    }
}
