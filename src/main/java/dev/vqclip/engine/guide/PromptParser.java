package dev.vqclip.engine.guide;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the prompt syntax of VQGAN-CLIP: prompts separated by {@code |}, each {@code text[:weight[:stop]]}. Weight and
 * stop are read from the right only when they look like numbers, so text may contain colons ("a photo: the sea",
 * "https://…"); a trailing part that looks numeric but is not a number is an error naming it. A text that itself
 * ends in {@code :number} ("time 10:30") needs an explicit weight and stop: {@code "time 10:30:1:-inf"}.
 */
public final class PromptParser {
    private static final Pattern NUMERIC_LOOKING = Pattern.compile("[-+0-9.eE]+|[-+]?inf(inity)?", Pattern.CASE_INSENSITIVE);

    private PromptParser() {
    }

    /**
     * @param spec e.g. {@code "a red apple | a bowl:0.5 | blurry:-1"}
     * @return the prompts in order
     * @throws IllegalArgumentException naming the offending part when the spec is malformed
     */
    public static List<Prompt> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        List<Prompt> out = new ArrayList<>();
        for (String part : spec.split("\\|", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("empty prompt between '|' separators in \"" + spec + "\"");
            }
            out.add(parseOne(part.strip()));
        }
        return out;
    }

    /** Parses one {@code text[:weight[:stop]]}. */
    public static Prompt parseOne(String part) {
        String text = part;
        List<Double> numbers = new ArrayList<>();
        while (numbers.size() < 2) {
            int c = text.lastIndexOf(':');
            if (c < 0) {
                break;
            }
            String tail = text.substring(c + 1).strip();
            if (!NUMERIC_LOOKING.matcher(tail).matches()) {
                break;
            }
            numbers.add(0, parseNumber(tail, part));
            text = text.substring(0, c);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("prompt \"" + part + "\" has a weight but no text");
        }
        double weight = numbers.isEmpty() ? 1.0 : numbers.get(0);
        double stop = numbers.size() < 2 ? Double.NEGATIVE_INFINITY : numbers.get(1);
        if (Double.isInfinite(weight)) {
            throw new IllegalArgumentException("prompt \"" + part + "\": the weight must be finite");
        }
        return new Prompt(text.strip(), weight, stop);
    }

    private static double parseNumber(String s, String part) {
        String t = s.toLowerCase(java.util.Locale.ROOT);
        if (t.matches("[-+]?inf(inity)?")) {
            return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prompt \"" + part + "\": '" + s + "' is not a number");
        }
    }

    /** @return the prompts joined back into one spec */
    public static String format(List<Prompt> prompts) {
        StringBuilder sb = new StringBuilder();
        for (Prompt p : prompts) {
            if (sb.length() > 0) {
                sb.append(" | ");
            }
            sb.append(p.toSpec());
        }
        return sb.toString();
    }
}
