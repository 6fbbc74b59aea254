package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;

import java.util.Locale;

/**
 * Checks that arrays hold no NaN or infinity without copying them to Java: {@code x − x} is 0 for every finite
 * element and NaN for NaN and ±inf, so the sum of those differences over all arrays is 0 exactly when everything is
 * finite (a sum of zeros cannot overflow). One value crosses to the host per check.
 */
final class Finiteness {
    private Finiteness() {
    }

    /** @return whether every element of every array is finite (floating-point arrays, any manager) */
    static boolean allFinite(NDArray... arrays) {
        return Float.isFinite(probe(arrays).getFloat());
    }

    /**
     * The check without its read: a float32 scalar on the arrays' device that is finite exactly when every element of
     * every array is (0 for no arrays), for a caller that reads it together with other values.
     */
    static NDArray probe(NDArray... arrays) {
        NDArray total = null;
        for (NDArray a : arrays) {
            NDArray s = a.sub(a).sum();
            total = total == null ? s : total.add(s);
        }
        if (total == null) {
            throw new IllegalArgumentException("nothing to check");
        }
        return total.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    }

    /**
     * Counts the bad elements (only called once something was found, so it may cost a few reductions).
     *
     * @return e.g. "NaN in 4,096 of 4,096 values", "+inf in 3 of 4,096 values", or "finite"
     */
    static String describe(NDArray a) {
        long n = a.size();
        long nan = a.isNaN().countNonzero().getLong();
        long inf = a.isInfinite().countNonzero().getLong();
        if (nan == 0 && inf == 0) {
            return "finite";
        }
        StringBuilder sb = new StringBuilder();
        if (nan > 0) {
            sb.append("NaN in ").append(count(nan));
        }
        if (inf > 0) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append("±inf in ").append(count(inf));
        }
        return sb.append(" of ").append(count(n)).append(" values").toString();
    }

    /** @return "NaN", "+inf" or "-inf" */
    static String name(double x) {
        return Double.isNaN(x) ? "NaN" : x > 0 ? "+inf" : "-inf";
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
