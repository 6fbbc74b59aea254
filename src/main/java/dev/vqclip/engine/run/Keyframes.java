package dev.vqclip.engine.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * A number that changes over the frames of an animation: either one value ({@code "1.02"}) or keyframes
 * {@code "frame:value, frame:value, ..."} ({@code "0:1.0, 60:1.05, 120:1.0"}), linearly interpolated between keys and
 * held constant before the first and after the last.
 */
public final class Keyframes {
    private final TreeMap<Integer, Double> keys;

    private Keyframes(TreeMap<Integer, Double> keys) {
        this.keys = keys;
    }

    /** @return a constant */
    public static Keyframes constant(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("a keyframe value must be a finite number, got " + v);
        }
        TreeMap<Integer, Double> m = new TreeMap<>();
        m.put(0, v);
        return new Keyframes(m);
    }

    /**
     * @param what the option's name, for messages (e.g. {@code --zoom})
     * @throws IllegalArgumentException naming the part that is not {@code number} or {@code frame:number}
     */
    public static Keyframes parse(String spec, String what) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(what + ": empty value; give a number or frame:value pairs");
        }
        String s = spec.strip();
        if (!s.contains(":")) {
            return constant(number(s, what, spec));
        }
        TreeMap<Integer, Double> m = new TreeMap<>();
        for (String part : s.split(",")) {
            String p = part.strip();
            int c = p.indexOf(':');
            if (c < 0) {
                throw new IllegalArgumentException(what + " \"" + spec + "\": '" + p + "' is not frame:value");
            }
            int frame;
            try {
                frame = Integer.parseInt(p.substring(0, c).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " \"" + spec + "\": '" + p.substring(0, c).strip()
                        + "' is not a frame number");
            }
            if (frame < 0) {
                throw new IllegalArgumentException(what + " \"" + spec + "\": frame " + frame + " is negative");
            }
            if (m.put(frame, number(p.substring(c + 1).strip(), what, spec)) != null) {
                throw new IllegalArgumentException(what + " \"" + spec + "\": frame " + frame + " is given twice");
            }
        }
        return new Keyframes(m);
    }

    private static double number(String s, String what, String spec) {
        try {
            double v = Double.parseDouble(s);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(what + " \"" + spec + "\": '" + s + "' is not a finite number");
    }

    /** @return the value at {@code frame} */
    public double at(int frame) {
        var lo = keys.floorEntry(frame);
        var hi = keys.ceilingEntry(frame);
        if (lo == null) {
            return hi.getValue();
        }
        if (hi == null || hi.getKey().equals(lo.getKey())) {
            return lo.getValue();
        }
        double t = (frame - lo.getKey()) / (double) (hi.getKey() - lo.getKey());
        return lo.getValue() + t * (hi.getValue() - lo.getValue());
    }

    /** @return the smallest and largest key values (what {@link #at} can return) */
    public double[] range() {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : keys.values()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new double[] {min, max};
    }

    /** @return the spec {@link #parse} reads back */
    public String toSpec() {
        if (keys.size() == 1 && keys.firstKey() == 0) {
            return fmt(keys.firstEntry().getValue());
        }
        List<String> parts = new ArrayList<>();
        keys.forEach((k, v) -> parts.add(k + ":" + fmt(v)));
        return String.join(",", parts);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Keyframes k && k.keys.equals(keys);
    }

    @Override
    public int hashCode() {
        return keys.hashCode();
    }

    @Override
    public String toString() {
        return toSpec();
    }
}
