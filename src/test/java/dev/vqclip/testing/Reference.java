package dev.vqclip.testing;

import dev.vqclip.engine.weights.Npy;
import dev.vqclip.engine.weights.RawTensor;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reference vectors in {@code ../shared/reference/} (read-only, never regenerated). Where the folder is absent,
 * tests skip with the reason; on CI (environment CI=true, or -Dvqclip.requireReference=true) they fail instead, so a
 * CI run can never pass by skipping parity.
 */
public final class Reference {
    private Reference() {
    }

    /** @return the reference folder; skips (locally) or fails (CI) when it is absent */
    public static Path dir() {
        Path dir = Path.of(System.getProperty("vqclip.reference", "../shared/reference")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("MANIFEST.json"))) {
            String why = "reference vectors not found at " + dir + " (expected ../shared/reference beside the clone)";
            if (required()) {
                fail(why + "; they are required on CI");
            }
            Assumptions.assumeTrue(false, why);
        }
        return dir;
    }

    public static boolean required() {
        return Boolean.getBoolean("vqclip.requireReference") || "true".equalsIgnoreCase(System.getenv("CI"));
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
