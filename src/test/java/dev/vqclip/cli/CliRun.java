package dev.vqclip.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One in-process run of the {@code vqclip} command line ({@link Main#run}) for the CLI tests: its exit code and what
 * it printed. System.out and System.err are swapped for buffers during the run and restored afterwards.
 *
 * @param code the exit code
 * @param out what was printed to System.out (with {@link #interleaved}: to both, in the order printed)
 * @param err what was printed to System.err (empty with {@link #interleaved})
 */
record CliRun(int code, String out, String err) {

    /** Runs {@code vqclip args...} with standard output and standard error captured separately. */
    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = capture(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@link #of(String...)} for a run that must exit with 0 (the assertion shows its standard error otherwise). */
    static CliRun succeeding(String... args) {
        CliRun r = of(args);
        assertThat(r.code()).as(r.err()).isZero();
        return r;
    }

    /** @return what {@code vqclip args...} printed to standard output; it must exit with 0 */
    static String outputOf(String... args) {
        CliRun r = of(args);
        assertThat(r.code()).as("exit code of vqclip %s; stderr: %s", List.of(args), r.err()).isZero();
        return r.out();
    }

    /** {@link #of(String...)} with the arguments as a list. */
    static CliRun of(List<String> args) {
        return of(args.toArray(new String[0]));
    }

    /** Runs {@code vqclip args...} with both streams captured into {@link #out()}, in the order printed. */
    static CliRun interleaved(String... args) {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(both, true, StandardCharsets.UTF_8);
        int code = capture(capture, capture, args);
        return new CliRun(code, both.toString(StandardCharsets.UTF_8), "");
    }

    private static int capture(PrintStream out, PrintStream err, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(out);
        System.setErr(err);
        try {
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
