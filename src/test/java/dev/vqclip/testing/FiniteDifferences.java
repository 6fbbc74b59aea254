package dev.vqclip.testing;

import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Checks an autograd gradient against central finite differences of a loss computed in double precision. */
public final class FiniteDifferences {
    private FiniteDifferences() {
    }

    /**
     * Asserts that {@code grad[k]} is within {@code tol} of {@code (loss(x + eps·e_k) − loss(x − eps·e_k)) / 2eps}
     * for every {@code stride}-th element {@code k} of {@code x}.
     *
     * @return how many of the checked gradient elements are not zero (so a test can insist that it checked
     *         something)
     */
    public static int assertGradientMatches(String what, double[] x, double[] grad, int stride, double eps,
                                            double tol, ToDoubleFunction<double[]> loss) {
        int nonZero = 0;
        for (int k = 0; k < x.length; k += stride) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[k] += eps;
            minus[k] -= eps;
            double fd = (loss.applyAsDouble(plus) - loss.applyAsDouble(minus)) / (2 * eps);
            assertThat(grad[k]).as("d/d %s[%d]", what, k).isCloseTo(fd, within(tol));
            if (grad[k] != 0) {
                nonZero++;
            }
        }
        return nonZero;
    }
}
