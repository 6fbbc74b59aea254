package dev.vqclip.testing;

import dev.vqclip.engine.weights.Npy;
import dev.vqclip.engine.weights.RawTensor;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reference vectors, a byte-identical copy kept in the repository at {@code testdata/reference/} (read-only, never
 * regenerated; {@code ReferenceCopyTest} checks every file against {@code MANIFEST.json}). Surefire passes the
 * absolute folder as {@code -Dvqclip.reference}; without it (an IDE run) the folder is looked up relative to the
 * working directory, the project root.
 * <p>
 * A test that needs the folder never skips silently: where it is absent the test FAILS, unless the explicit opt-out
 * {@code -Dvqclip.allowMissingReference=true} is given; then it is skipped with a reason naming the opt-out, a
 * banner on standard error says that parity was not checked, and a line naming the test class is appended to the file
 * {@code -Dvqclip.skipLog} names (the build passes {@code target/parity-not-checked.txt}; {@code .ci/run} prints it).
 * A skip in {@code @BeforeAll} is not counted as skipped by surefire, so the banner and that file are what show it.
 */
public final class Reference {
    /** The system property that holds the folder. */
    public static final String LOCATION = "vqclip.reference";
    /** The only way to let a test that needs the reference vectors skip where they are absent. */
    public static final String OPT_OUT = "vqclip.allowMissingReference";
    /** The folder inside the repository, relative to the project root. */
    public static final String IN_REPOSITORY = "testdata/reference";
    /** A file every skip under the opt-out is appended to (the build's summary prints it). */
    public static final String SKIP_LOG = "vqclip.skipLog";

    private static boolean announced;

    private Reference() {
    }

    /** @return the folder the tests read, whether or not it exists */
    public static Path location() {
        return Path.of(System.getProperty(LOCATION, IN_REPOSITORY)).toAbsolutePath().normalize();
    }

    /** @return whether {@code -Dvqclip.allowMissingReference=true} was given */
    public static boolean missingAllowed() {
        return Boolean.getBoolean(OPT_OUT);
    }

    /** @return the reference folder; fails when it is absent, or skips loudly under the explicit opt-out */
    public static Path dir() {
        Path dir = location();
        if (!Files.isRegularFile(dir.resolve("MANIFEST.json"))) {
            String why = "reference vectors not found at " + dir + " (the repository keeps them in " + IN_REPOSITORY
                    + "/)";
            if (!missingAllowed()) {
                fail(why + "; tests that need them fail rather than skip. Restore the folder, or pass -D" + OPT_OUT
                        + "=true to skip them knowingly");
            }
            announceSkip(why);
            Assumptions.abort("SKIPPED UNDER -D" + OPT_OUT + "=true: " + why);
        }
        return dir;
    }

    private static synchronized void announceSkip(String why) {
        if (announced) {
            return;
        }
        announced = true;
        String line = "*".repeat(100);
        System.err.println(line);
        System.err.println("*** PARITY NOT CHECKED: -D" + OPT_OUT + "=true lets tests skip where the reference vectors"
                + " are absent");
        System.err.println("*** " + why);
        System.err.println(line);
        System.out.println("WARNING parity not checked: -D" + OPT_OUT + "=true, " + why);
        String log = System.getProperty(SKIP_LOG);
        if (log != null && !log.isBlank()) {
            String test = StackWalker.getInstance().walk(frames -> frames.map(StackWalker.StackFrame::getClassName)
                    .filter(c -> !c.equals(Reference.class.getName())).findFirst().orElse("?"));
            try {
                Path file = Path.of(log);
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.writeString(file, test + ": " + why + System.lineSeparator(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("*** could not record the skip in " + log + ": " + e);
            }
        }
    }

    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.isRegularFile(p)) {
            fail("reference file missing: " + p);
        }
        return p;
    }

    public static RawTensor npy(String relative) {
        return Npy.read(file(relative));
    }

    public static float[] floats(String relative) {
        return npy(relative).toFloatArray();
    }

    public static long[] longs(String relative) {
        return npy(relative).toLongArray();
    }

    /** @return the largest absolute difference */
    public static double maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** Asserts max |expected − actual| ≤ tol and reports the figure. */
    public static double assertClose(String what, float[] expected, float[] actual, double tol) {
        double d = maxAbsDiff(expected, actual);
        System.out.printf("parity %-40s max|Δ| = %.3g (tol %.1g)%n", what, d, tol);
        if (!(d <= tol)) {
            fail(what + ": max |Δ| = " + d + " exceeds " + tol);
        }
        return d;
    }
}
