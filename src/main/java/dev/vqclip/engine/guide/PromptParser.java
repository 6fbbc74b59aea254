package dev.vqclip.engine.guide;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the prompt syntax of VQGAN-CLIP: prompts separated by {@code |}, each {@code text[:weight[:stop]]},
 * optionally ending in a span {@code :FROM-UNTIL[~RAMP]} or {@code :FROM-[~RAMP]} (see {@link PromptSpan}).
 * <ul>
 *   <li>Weight and stop are read from the right only when they look like numbers, so text may contain colons followed
 *   by a space or by other text ("a photo: the sea", "https://…", "ratio 16:9 poster:0.5"); a trailing part that
 *   looks numeric but is not a number ("1.2.3") is an error naming it.</li>
 *   <li>A colon followed directly by a single word of letters, digits and {@code . , + - _} ("a red circle:abc",
 *   "sky:1,5") is taken as an attempt at a weight and refused, naming the word, rather than silently becoming text
 *   with weight 1.</li>
 *   <li>{@code \:} is a colon that is always text ("label\:abc"). A text that itself ends in {@code :number}
 *   ("time 10:30") needs it too ({@code "time 10\:30"}), or an explicit weight and stop
 *   ({@code "time 10:30:1:-inf"}). {@link #format} writes such colons escaped, so what it writes reads back.</li>
 * </ul>
 */
public final class PromptParser {
    private static final Pattern NUMERIC_LOOKING = Pattern.compile("[-+0-9.eE]+|[-+]?inf(inity)?", Pattern.CASE_INSENSITIVE);
    /** A single word right after a colon, which can only have been meant as a weight. */
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}.,+_-]+");
    /** The span of a scheduled prompt: FROM-UNTIL, FROM- (no end), each with an optional ~RAMP. */
    private static final Pattern SPAN = Pattern.compile("(\\d+)-(\\d*)(?:~(\\d+))?");

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

    /**
     * @param spec {@code FROM-UNTIL}, {@code FROM-}, either with {@code ~RAMP}; blank for every step
     * @return the span
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static PromptSpan parseSpan(String spec) {
        if (spec == null || spec.isBlank()) {
            return PromptSpan.ALWAYS;
        }
        Matcher m = SPAN.matcher(spec.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("span '" + spec.strip() + "' is not FROM-UNTIL or FROM- (no end), "
                    + "either with ~RAMP, e.g. 0-150~20");
        }
        return span(m);
    }

    private static PromptSpan span(Matcher m) {
        try {
            int from = Integer.parseInt(m.group(1));
            int until = m.group(2).isEmpty() ? PromptSpan.OPEN : Integer.parseInt(m.group(2));
            int ramp = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            return new PromptSpan(from, until, ramp);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the step numbers of '" + m.group() + "' are too large", e);
        }
    }

    /** Parses one {@code text[:weight[:stop]][:FROM-[UNTIL][~RAMP]]}. */
    public static Prompt parseOne(String part) {
        String text = part;
        PromptSpan span = PromptSpan.ALWAYS;
        int sc = lastSeparator(text);
        if (sc >= 0) {
            Matcher m = SPAN.matcher(text.substring(sc + 1).strip());
            if (m.matches()) {
                try {
                    span = span(m);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("prompt \"" + part + "\": " + e.getMessage());
                }
                text = text.substring(0, sc);
            }
        }
        List<Double> numbers = new ArrayList<>();
        while (numbers.size() < 2) {
            int c = lastSeparator(text);
            if (c < 0) {
                break;
            }
            String raw = text.substring(c + 1);
            String tail = raw.strip();
            if (NUMERIC_LOOKING.matcher(tail).matches()) {
                numbers.add(0, parseNumber(tail, part));
                text = text.substring(0, c);
            } else if (WORD.matcher(raw).matches()) {
                throw new IllegalArgumentException("prompt \"" + part + "\": '" + raw + "' is not a number, so it "
                        + "cannot be a " + (numbers.isEmpty() ? "weight" : "weight before the stop " + numbers.get(0))
                        + " (the syntax is text:weight:stop); to keep the colon as text, write it as \\: or put "
                        + "a space after it");
            } else {
                break;
            }
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("prompt \"" + part + "\" has a weight but no text");
        }
        double weight = numbers.isEmpty() ? 1.0 : numbers.get(0);
        double stop = numbers.size() < 2 ? Double.NEGATIVE_INFINITY : numbers.get(1);
        if (Double.isInfinite(weight)) {
            throw new IllegalArgumentException("prompt \"" + part + "\": the weight must be finite");
        }
        return new Prompt(text.replace("\\:", ":").strip(), weight, stop, span);
    }

    /** @return the index of the last colon not written as {@code \:}, or -1 */
    private static int lastSeparator(String text) {
        for (int c = text.lastIndexOf(':'); c >= 0; c = text.lastIndexOf(':', c - 1)) {
            if (c == 0 || text.charAt(c - 1) != '\\') {
                return c;
            }
        }
        return -1;
    }

    /**
     * @param text a prompt's text
     * @return the text as {@link #format} writes it: its last colon escaped when {@link #parse} would otherwise read
     *     what follows it as a weight (or refuse it as one)
     */
    static String escapeText(String text) {
        int c = text.lastIndexOf(':');
        if (c < 0) {
            return text;
        }
        String raw = text.substring(c + 1);
        if (NUMERIC_LOOKING.matcher(raw.strip()).matches() || WORD.matcher(raw).matches()) {
            return text.substring(0, c) + "\\:" + raw;
        }
        return text;
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
