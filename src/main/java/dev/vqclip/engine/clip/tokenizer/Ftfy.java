package dev.vqclip.engine.clip.tokenizer;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of ftfy 6.x's {@code fix_text} (default configuration) that matters for CLIP prompts, written for Java
 * because ftfy has no Java port.
 *
 * <p>Done exactly as ftfy does: HTML entity decoding with {@code unescape_html="auto"} (only complete references
 * ending in {@code ;}, and not in a line that contains a literal {@code <} nor in any later line), C1 control
 * characters read as Windows-1252, Latin ligatures split, full- and half-width forms (and U+3000) folded with NFKC,
 * curly quotes straightened, line breaks unified to {@code \n}, lone surrogates replaced, ANSI terminal escapes and
 * unwanted control characters removed, NFC normalisation; every step repeated until the text stops changing, line by
 * line.
 *
 * <p>Simplified: mojibake repair. ftfy decides whether text "looks bad" with a large hand-tuned character-class
 * heuristic and tries ten single-byte encodings. Here text counts as bad when it holds a UTF-8 byte sequence read as
 * Latin-1 / Windows-1252 (e.g. {@code cafÃ©}, {@code â€™}, {@code ðŸ˜€}); the repair then re-encodes the whole text
 * with Latin-1 or (sloppy) Windows-1252 and decodes it as UTF-8 (or CESU-8 / Java's modified UTF-8), and otherwise
 * fixes each such run on its own, as ftfy's {@code decode_inconsistent_utf8} does. Not done: the other single-byte
 * encodings (Windows-1250/1251/…, MacRoman, cp437), restoring a 0xA0 byte turned into a space, and sequences that
 * already lost bytes to U+FFFD. Stateless and thread-safe.
 */
public final class Ftfy {
    private static final int MAX_DECODE_LENGTH = 1_000_000;
    /** ftfy loops until nothing changes; real text settles in a few rounds. */
    private static final int MAX_ROUNDS = 64;

    /** Windows-1252 characters for bytes 0x80..0x9F; the five undefined bytes map to the C1 control of that value. */
    private static final char[] CP1252_HIGH = {0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6,
        0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178};

    /** Char to byte for sloppy Windows-1252 (the Windows-1252 characters only; other chars map as in Latin-1). */
    private static final Map<Character, Integer> CP1252_BYTE = new HashMap<>();

    private static final Map<Integer, String> LIGATURES = new HashMap<>();
    private static final String[] WIDTH = new String[0x10000 - 0xFF00];

    /** ftfy's ANSI_RE. */
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");

    /** After a lead other than Â/Ã, these look like real punctuation rather than continuation bytes. */
    private static final String COMMON_PUNCTUATION = "\u00a0\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026\u2013\u2014"
            + "\u00a1\u00bf\u00b0\u00b7\u00b4\u00a9\u00ae\u2122";

    static {
        for (int i = 0; i < CP1252_HIGH.length; i++) {
            CP1252_BYTE.put(CP1252_HIGH[i], 0x80 + i);
        }
        String[][] lig = {{"\u0132", "IJ"}, {"\u0133", "ij"}, {"\u0149", "\u02bcn"}, {"\u01f1", "DZ"},
            {"\u01f2", "Dz"}, {"\u01f3", "dz"}, {"\u01c4", "D\u017d"}, {"\u01c5", "D\u017e"}, {"\u01c6", "d\u017e"},
            {"\u01c7", "LJ"}, {"\u01c8", "Lj"}, {"\u01c9", "lj"}, {"\u01ca", "NJ"}, {"\u01cb", "Nj"}, {"\u01cc", "nj"},
            {"\ufb00", "ff"}, {"\ufb01", "fi"}, {"\ufb02", "fl"}, {"\ufb03", "ffi"}, {"\ufb04", "ffl"},
            {"\ufb05", "\u017ft"}, {"\ufb06", "st"}};
        for (String[] l : lig) {
            LIGATURES.put((int) l[0].charAt(0), l[1]);
        }
        for (int c = 0xFF01; c < 0xFFF0; c++) {
            String ch = String.valueOf((char) c);
            String alt = Normalizer.normalize(ch, Normalizer.Form.NFKC);
            if (!alt.equals(ch)) {
                WIDTH[c - 0xFF00] = alt;
            }
        }
    }

    private Ftfy() {
    }

    /**
     * {@code ftfy.fix_text(text)} with ftfy's defaults (see the class comment for what is simplified).
     *
     * @param text any text, not null
     * @return the fixed text
     */
    public static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true; // "auto" until a segment contains '<'
        int pos = 0;
        while (pos < text.length()) {
            int end = text.indexOf('\n', pos) + 1;
            if (end == 0) {
                end = text.length();
            }
            if (end - pos > MAX_DECODE_LENGTH) {
                end = pos + MAX_DECODE_LENGTH;
                if (Character.isLowSurrogate(text.charAt(end)) && Character.isHighSurrogate(text.charAt(end - 1))) {
                    end--;
                }
            }
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    /** ftfy's {@code fix_and_explain} loop for one segment. */
    private static String fixSegment(String text, boolean unescapeHtml) {
        boolean unescape = unescapeHtml && text.indexOf('<') < 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String orig = text;
            if (unescape) {
                text = HtmlEntities.get().ftfyUnescape(text);
            }
            text = fixEncoding(text);
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = ANSI_ESCAPE.matcher(text).replaceAll("");
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) {
                return text;
            }
        }
        return text; // every round shortens or settles the text; this bound only guards against the unforeseen
    }

    // ---- mojibake -------------------------------------------------------------------------------------------------

    /** ftfy's {@code fix_encoding}: repeats one repair step until nothing changes. */
    static String fixEncoding(String text) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String prev = text;
            text = fixEncodingOneStep(text);
            if (text.equals(prev)) {
                return text;
            }
        }
        return text;
    }

    private static String fixEncodingOneStep(String text) {
        if (text.isEmpty() || isAscii(text) || !isBad(text)) {
            return text;
        }
        for (boolean sloppy1252 : new boolean[] {false, true}) {
            byte[] bytes = encodeSingleByte(text, sloppy1252);
            if (bytes != null) {
                String fixed = decodeUtf8(bytes);
                if (fixed != null) {
                    return fixed;
                }
            }
        }
        String fixed = decodeInconsistentUtf8(text);
        if (!fixed.equals(text)) {
            return fixed;
        }
        // Latin-1 meant as Windows-1252 and the stray C1 controls: both read C1 controls as Windows-1252
        return fixC1Controls(text);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** The byte a char stands for in Latin-1 or Windows-1252, or -1. */
    private static int byteOf(char c) {
        if (c <= 0xFF) {
            return c;
        }
        Integer b = CP1252_BYTE.get(c);
        return b == null ? -1 : b;
    }

    /**
     * @return the length in chars of a UTF-8 multi-byte sequence spelled in Latin-1/Windows-1252 characters starting
     *         at {@code i}, or 0 when there is none
     */
    private static int mojibakeSequenceAt(String text, int i) {
        int lead = byteOf(text.charAt(i));
        int n;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 3;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 4;
        } else {
            return 0;
        }
        if (i + n > text.length()) {
            return 0;
        }
        for (int k = 1; k < n; k++) {
            int b = byteOf(text.charAt(i + k));
            if (b < 0x80 || b > 0xBF) {
                return 0;
            }
        }
        int second = byteOf(text.charAt(i + 1));
        if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F)
                || (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
            return 0; // overlong, surrogate or beyond U+10FFFF
        }
        if (lead != 0xC2 && lead != 0xC3) {
            boolean allPunctuation = true;
            for (int k = 1; k < n; k++) {
                allPunctuation &= COMMON_PUNCTUATION.indexOf(text.charAt(i + k)) >= 0;
            }
            if (allPunctuation) {
                return 0; // "É–", "Ü“" or "Brontë…”" are more likely real text than mojibake
            }
        }
        return n;
    }

    /** Whether the text contains something that looks like UTF-8 read as Latin-1/Windows-1252. */
    static boolean isBad(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (mojibakeSequenceAt(text, i) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Latin-1 ({@code sloppy1252=false}) or sloppy Windows-1252 bytes of the text, or null if it does not fit. */
    private static byte[] encodeSingleByte(String text, boolean sloppy1252) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int b;
            if (!sloppy1252) {
                b = c <= 0xFF ? c : -1;
            } else if (c < 0x80 || c >= 0xA0 && c <= 0xFF) {
                b = c == 0x1A ? -1 : c; // in ftfy's sloppy codecs byte 0x1A stands for U+FFFD
            } else {
                Integer v = CP1252_BYTE.get(c);
                b = v == null ? -1 : v;
            }
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }

    /**
     * Strict UTF-8, also accepting what ftfy's "utf-8-variants" accepts: CESU-8 surrogate pairs and {@code C0 80}
     * for U+0000.
     *
     * @return the text, or null if the bytes are not valid
     */
    static String decodeUtf8(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                sb.append((char) b0);
                i++;
                continue;
            }
            if (b0 == 0xC0 && i + 1 < bytes.length && (bytes[i + 1] & 0xFF) == 0x80) {
                sb.append('\0');
                i += 2;
                continue;
            }
            int n;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                n = 2;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                n = 3;
                cp = b0 & 0x0F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                n = 4;
                cp = b0 & 0x07;
            } else {
                return null;
            }
            if (i + n > bytes.length) {
                return null;
            }
            for (int k = 1; k < n; k++) {
                int b = bytes[i + k] & 0xFF;
                if (b < 0x80 || b > 0xBF) {
                    return null;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
                return null;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                // CESU-8: a high surrogate must be followed by an encoded low surrogate
                if (i + 6 > bytes.length || (bytes[i + 3] & 0xFF) != 0xED) {
                    return null;
                }
                int b1 = bytes[i + 4] & 0xFF;
                int b2 = bytes[i + 5] & 0xFF;
                if (b1 < 0xB0 || b1 > 0xBF || b2 < 0x80 || b2 > 0xBF) {
                    return null;
                }
                int low = 0xD000 | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
                sb.append((char) cp).append((char) low);
                i += 6;
                continue;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return null;
            }
            sb.appendCodePoint(cp);
            i += n;
        }
        return sb.toString();
    }

    /** Fixes each run of mojibake sequences on its own (for text that mixes mojibake with correct non-ASCII). */
    private static String decodeInconsistentUtf8(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int start = i;
            int n;
            while (i < text.length() && (n = mojibakeSequenceAt(text, i)) > 0) {
                i += n;
            }
            if (i > start) {
                String run = text.substring(start, i);
                out.append(run.length() < text.length() ? fixEncoding(run) : run);
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    // ---- the simple fixes -----------------------------------------------------------------------------------------

    /** C1 control characters (U+0080..U+009F) read as sloppy Windows-1252. */
    static String fixC1Controls(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (sb == null) {
                    sb = new StringBuilder(text.substring(0, i));
                }
                sb.append(CP1252_HIGH[c - 0x80]);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    static String fixLatinLigatures(String text) {
        return replaceChars(text, c -> LIGATURES.get((int) c));
    }

    /** Full-width and half-width forms (U+FF01..U+FFEF) to their NFKC form; U+3000 to a space. */
    static String fixCharacterWidth(String text) {
        return replaceChars(text, c -> c == 0x3000 ? " " : c >= 0xFF01 && c < 0xFFF0 ? WIDTH[c - 0xFF00] : null);
    }

    /** What replaces one character: a string, or null to keep it. */
    private interface CharReplacement {
        String of(char c);
    }

    /** @return {@code text} with each character the replacement maps replaced; {@code text} itself when none is */
    private static String replaceChars(String text, CharReplacement replacement) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String rep = replacement.of(c);
            if (rep != null && sb == null) {
                sb = new StringBuilder(text.substring(0, i));
            }
            if (sb != null) {
                if (rep != null) {
                    sb.append(rep);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? text : sb.toString();
    }

    static String uncurlQuotes(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B)) {
                sb.append('\'');
            } else if (c >= 0x201C && c <= 0x201F) {
                sb.append('"');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /** Lone surrogates become U+FFFD (paired ones already form one code point in a Java string). */
    static String fixSurrogates(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lone = false;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    if (sb != null) {
                        sb.append(c).append(text.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                lone = true;
            } else if (Character.isLowSurrogate(c)) {
                lone = true;
            }
            if (lone && sb == null) {
                sb = new StringBuilder(text.substring(0, i));
            }
            if (sb != null) {
                sb.append(lone ? '\uFFFD' : c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** Removes C0 controls other than tab, LF, FF and CR; DEL; U+206A..U+206F; the BOM; U+FFF9..U+FFFC. */
    static String removeControlChars(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean drop = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                    || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
            if (!drop) {
                sb.append(c);
            }
        }
        return sb.length() == text.length() ? text : sb.toString();
    }
}
