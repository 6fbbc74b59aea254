package dev.vqclip.engine.clip.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references, decoded two ways: as Python's {@code html.unescape} does (the HTML5 rules, including
 * named references without a semicolon and the Windows-1252 reading of {@code &#128;}–{@code &#159;}) and as ftfy's
 * {@code unescape_html} does (only complete references ending in {@code ;}, plus upper-cased forms of lower-case
 * names such as {@code &EACUTE;}).
 *
 * <p>The table of named references is the WHATWG HTML standard's list, kept as a resource. Immutable and thread-safe.
 */
final class HtmlEntities {
    private static final String RESOURCE = "html5-entities.txt";

    /** Python's {@code html._charref}. */
    private static final Pattern PYTHON_CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** ftfy's {@code HTML_ENTITY_RE}: only complete references with a semicolon. */
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /** Numeric references the HTML5 standard maps elsewhere (mostly the Windows-1252 block). */
    private static final Map<Integer, String> INVALID_CHARREFS;

    static {
        Map<Integer, String> m = new HashMap<>();
        m.put(0x00, "\uFFFD");
        m.put(0x0D, "\r");
        int[] cp1252 = {0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
            0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
            0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178};
        for (int i = 0; i < cp1252.length; i++) {
            m.put(0x80 + i, new String(Character.toChars(cp1252[i])));
        }
        INVALID_CHARREFS = Collections.unmodifiableMap(m);
    }

    private static final HtmlEntities INSTANCE = new HtmlEntities();

    /** HTML5 names (with the trailing ';' where the standard lists it so) to their text. */
    private final Map<String, String> html5;
    /** ftfy's HTML_ENTITIES: "&name;" to text, plus upper-cased variants. */
    private final Map<String, String> ftfy;

    private HtmlEntities() {
        html5 = Collections.unmodifiableMap(readTable());
        Map<String, String> f = new HashMap<>();
        for (Map.Entry<String, String> e : html5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            f.put("&" + name, e.getValue());
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (pythonUnescape(upper).equals(upper)) {
                    f.put(upper, e.getValue().toUpperCase(Locale.ROOT));
                }
            }
        }
        ftfy = Collections.unmodifiableMap(f);
    }

    static HtmlEntities get() {
        return INSTANCE;
    }

    private static Map<String, String> readTable() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = HtmlEntities.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the build");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder sb = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) {
                    sb.appendCodePoint(Integer.parseInt(hex, 16));
                }
                map.put(line.substring(0, tab), sb.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return map;
    }

    /** Python's {@code html.unescape(s)}. */
    String pythonUnescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return PYTHON_CHARREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(replaceCharref(m.group(1))));
    }

    private String replaceCharref(String s) {
        if (s.charAt(0) == '#') {
            String digits;
            int radix;
            if (s.charAt(1) == 'x' || s.charAt(1) == 'X') {
                digits = s.substring(2);
                radix = 16;
            } else {
                digits = s.substring(1);
                radix = 10;
            }
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            return numericReference(digits, radix);
        }
        String named = html5.get(s);
        if (named != null) {
            return named;
        }
        // the longest name that is a prefix (as the standard defines it; only names without ';' can match here)
        for (int x = s.length() - 1; x > 1; x--) {
            String prefix = html5.get(s.substring(0, x));
            if (prefix != null) {
                return prefix + s.substring(x);
            }
        }
        return "&" + s;
    }

    private static String numericReference(String digits, int radix) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        String significant = digits.substring(i);
        if (significant.length() > 8) {
            return "\uFFFD"; // far above U+10FFFF
        }
        long num = Long.parseLong(significant, radix);
        String special = INVALID_CHARREFS.get((int) num);
        if (num <= 0x9F && special != null) {
            return special;
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\uFFFD";
        }
        if (isInvalidCodePoint((int) num)) {
            return "";
        }
        return new String(Character.toChars((int) num));
    }

    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8) || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || cp == 0xB || (cp & 0xFFFE) == 0xFFFE;
    }

    /** ftfy's {@code unescape_html(text)}. */
    String ftfyUnescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        return FTFY_ENTITY.matcher(text).replaceAll(m -> Matcher.quoteReplacement(ftfyReplacement(m.group())));
    }

    /** @return what ftfy puts for the entity {@code ref}: its character(s), or {@code ref} itself when unknown */
    private String ftfyReplacement(String ref) {
        String rep = ftfy.get(ref);
        if (rep != null) {
            return rep;
        }
        if (ref.startsWith("&#")) {
            String un = pythonUnescape(ref);
            return un.contains(";") ? ref : un;
        }
        return ref;
    }
}
