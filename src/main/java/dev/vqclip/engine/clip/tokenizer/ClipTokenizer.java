package dev.vqclip.engine.clip.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * OpenAI CLIP's byte-level BPE tokenizer ({@code simple_tokenizer.py} and {@code clip.tokenize}), giving the same ids
 * as the Python code.
 *
 * <p>Text is cleaned ({@link Ftfy#fixText}, {@code html.unescape} twice, whitespace runs to one space, stripped,
 * lower-cased with full Unicode rules), split by CLIP's pattern (special tokens, the ASCII contractions {@code 's 't
 * 're 've 'm 'll 'd}, runs of letters, single digits, runs of other non-space characters), each piece turned into its
 * UTF-8 bytes written as byte characters, and merged with the ranks of the merges file. The vocabulary is the 256
 * byte characters, the same with {@code </w>}, the merged strings in file order, then {@code <|startoftext|>} and
 * {@code <|endoftext|>}.
 *
 * <p>Thread-safe: the tables are immutable after loading and the BPE cache is a concurrent map.
 */
public final class ClipTokenizer {
    /** CLIP's context length. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;
    /** How many merges CLIP reads from its file ({@code 49152 - 256 - 2}); longer files are cut there. */
    public static final int MAX_MERGES = 49152 - 256 - 2;
    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    static final String END_OF_WORD = "</w>";

    private static final int MAX_LINE_CHARS = 4096;
    private static final int CACHE_LIMIT = 100_000;

    /** Python's {@code \s} in the {@code regex} module: Unicode White_Space (U+200B is not among it). */
    static final String WHITESPACE_CLASS = "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
            + "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
    private static final Pattern WHITESPACE = Pattern.compile("[" + WHITESPACE_CLASS + "]+");
    private static final Pattern PRETOKEN = Pattern.compile(
            "(?iu:<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d)"
                    + "|\\p{L}+|\\p{N}|[^" + WHITESPACE_CLASS + "\\p{L}\\p{N}\\x{345}]+");

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> ranks;
    private final int mergeCount;
    private final int sot;
    private final int eot;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(List<String[]> merges) {
        mergeCount = merges.size();
        List<String> vocab = new ArrayList<>(512 + merges.size() + 2);
        for (char c : ByteEncoder.vocabOrder()) {
            vocab.add(String.valueOf(c));
        }
        for (int i = 0; i < 256; i++) {
            vocab.add(vocab.get(i) + END_OF_WORD);
        }
        Map<String, Integer> r = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            String[] m = merges.get(i);
            vocab.add(m[0] + m[1]);
            r.put(pairKey(m[0], m[1]), i); // a repeated merge keeps its last rank, as Python's dict does
        }
        vocab.add(START_OF_TEXT);
        vocab.add(END_OF_TEXT);
        Map<String, Integer> enc = new HashMap<>(vocab.size() * 2);
        for (int i = 0; i < vocab.size(); i++) {
            enc.put(vocab.get(i), i); // a repeated string keeps its last id, as Python's dict does
        }
        encoder = Collections.unmodifiableMap(enc);
        decoder = vocab.toArray(new String[0]);
        ranks = Collections.unmodifiableMap(r);
        sot = enc.get(START_OF_TEXT);
        eot = enc.get(END_OF_TEXT);
    }

    /**
     * Loads a merges file in CLIP's format: gzip-compressed UTF-8, a header line, then one merge {@code a b} per line
     * (at most {@link #MAX_MERGES} are read, as CLIP does).
     *
     * @param mergesGz e.g. {@code bpe_simple_vocab_16e6.txt.gz}
     * @throws IOException naming the file when it is missing, not gzip, not UTF-8 or has a malformed line
     */
    public static ClipTokenizer load(Path mergesGz) throws IOException {
        try (InputStream in = Files.newInputStream(mergesGz)) {
            return read(in, mergesGz.toString());
        } catch (NoSuchFileException e) {
            throw new IOException("BPE merges file not found: " + mergesGz, e);
        }
    }

    /**
     * Reads a gzip-compressed merges file from a stream (for example a classpath resource). The stream is read but
     * not closed.
     *
     * @throws IOException when the data is not a valid merges file
     */
    public static ClipTokenizer fromStream(InputStream gz) throws IOException {
        return read(gz, "BPE merges stream");
    }

    private static ClipTokenizer read(InputStream raw, String source) throws IOException {
        List<String[]> merges = new ArrayList<>();
        try {
            GZIPInputStream in = new GZIPInputStream(raw, 1 << 16);
            LineReader lines = new LineReader(in, source);
            String header = lines.next();
            if (header == null) {
                throw new IOException(source + ": the merges file is empty");
            }
            int lineNo = 1;
            String line;
            while (merges.size() < MAX_MERGES && (line = lines.next()) != null) {
                lineNo++;
                if (line.isEmpty() && lines.atEnd()) {
                    break; // the newline that ends the file
                }
                merges.add(parseMerge(line, lineNo, source));
            }
        } catch (ZipException e) {
            throw new IOException(source + ": not a gzip-compressed merges file (" + e.getMessage() + ")", e);
        } catch (java.io.EOFException e) {
            throw new IOException(source + ": the gzip data ends early (truncated file?)", e);
        }
        return new ClipTokenizer(merges);
    }

    private static String[] parseMerge(String line, int lineNo, String source) throws IOException {
        String[] parts = splitOnWhitespace(line);
        if (parts.length != 2) {
            throw new IOException(source + " line " + lineNo + ": expected two symbols separated by a space, got \""
                    + line + "\"");
        }
        for (String p : parts) {
            String body = p.endsWith(END_OF_WORD) ? p.substring(0, p.length() - END_OF_WORD.length()) : p;
            for (int i = 0; i < body.length(); i++) {
                if (ByteEncoder.byteOf(body.charAt(i)) < 0) {
                    throw new IOException(source + " line " + lineNo + ": symbol \"" + p
                            + "\" has a character that is not one of CLIP's byte characters");
                }
            }
        }
        return parts;
    }

    /** Python's {@code str.split()} (no argument): the non-empty runs between whitespace. */
    private static String[] splitOnWhitespace(String line) {
        List<String> parts = new ArrayList<>(2);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && isPythonSpace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isPythonSpace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                parts.add(line.substring(start, i));
            }
        }
        return parts.toArray(new String[0]);
    }

    /** Splits strict UTF-8 text on '\n' (as Python's {@code split('\n')}), with a limit on line length. */
    private static final class LineReader {
        private final InputStream in;
        private final String source;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final byte[] line = new byte[MAX_LINE_CHARS * 4];
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int limit;
        private boolean eof;
        private int lineNo;

        LineReader(InputStream in, String source) {
            this.in = in;
            this.source = source;
        }

        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            limit = in.read(buf);
            pos = 0;
            if (limit <= 0) {
                eof = true;
                return false;
            }
            return true;
        }

        boolean atEnd() throws IOException {
            return pos >= limit && !fill();
        }

        /** @return the next line without its '\n', or null after the last one */
        String next() throws IOException {
            if (atEnd()) {
                return null;
            }
            lineNo++;
            int n = 0;
            while (true) {
                if (pos >= limit && !fill()) {
                    break;
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    break;
                }
                if (n == line.length) {
                    throw new IOException(source + " line " + lineNo + ": longer than " + line.length + " bytes");
                }
                line[n++] = b;
            }
            try {
                CharBuffer cb = utf8.reset().decode(ByteBuffer.wrap(line, 0, n));
                return cb.toString();
            } catch (CharacterCodingException e) {
                throw new IOException(source + " line " + lineNo + ": not valid UTF-8", e);
            }
        }
    }

    private static String pairKey(String a, String b) {
        return a + ' ' + b; // a space never occurs inside a symbol
    }

    // ---- text to pieces -------------------------------------------------------------------------------------------

    /**
     * CLIP's {@code whitespace_clean(basic_clean(text)).lower()}.
     *
     * @param text raw prompt text
     * @return the cleaned, lower-cased text the pattern is applied to
     */
    public static String clean(String text) {
        HtmlEntities html = HtmlEntities.get();
        String t = Ftfy.fixText(text);
        t = html.pythonUnescape(html.pythonUnescape(t));
        t = pythonStrip(t);
        t = WHITESPACE.matcher(t).replaceAll(" ");
        t = pythonStrip(t);
        return pythonLower(t);
    }

    /**
     * Python's {@code str.lower()}: full Unicode lower-case mapping per code point (so {@code İ} becomes {@code i̇}),
     * and capital sigma becomes final {@code ς} when a cased letter precedes it and none follows it, skipping
     * case-ignorable characters, exactly as CPython decides (Java's own rule looks at word boundaries instead).
     */
    static String pythonLower(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            if (cp == 0x03A3) {
                sb.append(isFinalSigma(s, i) ? '\u03c2' : '\u03c3');
            } else if (cp < 0x80) {
                sb.append(cp >= 'A' && cp <= 'Z' ? (char) (cp + 32) : (char) cp);
            } else {
                sb.append(s.substring(i, i + n).toLowerCase(Locale.ROOT));
            }
            i += n;
        }
        return sb.toString();
    }

    private static boolean isFinalSigma(String s, int index) {
        int j = index;
        int c = -1;
        while (j > 0) {
            c = s.codePointBefore(j);
            if (!isCaseIgnorable(c)) {
                break;
            }
            j -= Character.charCount(c);
            c = -1;
        }
        if (c < 0 || !isCased(c)) {
            return false;
        }
        j = index + 1;
        while (j < s.length()) {
            c = s.codePointAt(j);
            if (!isCaseIgnorable(c)) {
                return !isCased(c);
            }
            j += Character.charCount(c);
        }
        return true;
    }

    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode Case_Ignorable: Mn, Me, Cf, Lm, Sk, and the MidLetter, MidNumLet and Single_Quote characters. */
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                break;
        }
        switch (cp) {
            case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4: case 0x2018:
            case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07:
            case 0xFF0E: case 0xFF1A:
                return true;
            default:
                return false;
        }
    }

    /** @return whether the string contains a character of CLIP's whitespace class */
    static boolean containsWhitespace(String s) {
        return WHITESPACE.matcher(s).find();
    }

    /** Python's {@code str.strip()}: removes characters for which {@code str.isspace()} holds. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /**
     * The matches of CLIP's pattern on cleaned text.
     *
     * @param cleaned output of {@link #clean(String)}
     * @return the pre-tokens, in order
     */
    public static List<String> pretokenize(String cleaned) {
        List<String> out = new ArrayList<>();
        Matcher m = PRETOKEN.matcher(cleaned);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /**
     * The BPE pieces of one pre-token, written in byte characters, the last ending with {@code </w>} (special
     * tokens come back unchanged).
     *
     * @param pretoken one element of {@link #pretokenize(String)}
     */
    public List<String> bpePieces(String pretoken) {
        if (pretoken.isEmpty()) {
            return List.of();
        }
        return List.of(bpe(ByteEncoder.encode(pretoken)));
    }

    private String[] bpe(String token) {
        if (token.equals(START_OF_TEXT) || token.equals(END_OF_TEXT)) {
            return new String[] {token}; // CLIP seeds its cache with the special tokens
        }
        String[] cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + END_OF_WORD);
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(pairKey(word.get(i), word.get(i + 1)));
                if (r != null && r < best) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            int i = 0;
            while (i < word.size()) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String[] pieces = word.toArray(new String[0]);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear(); // bounded memory; entries are only a speed-up
        }
        cache.put(token, pieces);
        return pieces;
    }

    // ---- public API -----------------------------------------------------------------------------------------------

    /**
     * CLIP's {@code SimpleTokenizer.encode}: the ids of the text, without start/end tokens and not truncated.
     *
     * @param text raw prompt text
     */
    public int[] encode(String text) {
        return encode(text, Integer.MAX_VALUE);
    }

    /** The first {@code limit} ids of {@link #encode(String)} (or all, when fewer), without encoding the rest. */
    private int[] encode(String text, int limit) {
        List<String> pretokens = pretokenize(clean(text));
        int[] ids = new int[Math.max(16, pretokens.size() * 2)];
        int n = 0;
        for (String pre : pretokens) {
            if (n >= limit) {
                break;
            }
            String token = ByteEncoder.encode(pre);
            if (token.isEmpty()) {
                continue;
            }
            for (String piece : bpe(token)) {
                Integer id = encoder.get(piece);
                if (id == null) {
                    throw new IllegalStateException("BPE piece \"" + piece + "\" is not in the vocabulary");
                }
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                }
                ids[n++] = id;
            }
        }
        return Arrays.copyOf(ids, Math.min(n, limit));
    }

    /** {@code clip.tokenize(text, context_length=77, truncate=True)} for one text. */
    public long[] tokenize(String text) {
        return tokenize(text, DEFAULT_CONTEXT_LENGTH, true);
    }

    /**
     * {@code clip.tokenize(text, contextLength, truncate)} for one text: start token, ids, end token, zero-padded.
     *
     * @param truncate when the ids do not fit: cut them and end with the end token (true), or throw (false)
     * @return {@code contextLength} ids
     * @throws IllegalArgumentException naming the text when it is too long and {@code truncate} is false, or when
     *                                  {@code contextLength < 1}
     */
    public long[] tokenize(String text, int contextLength, boolean truncate) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be at least 1, got " + contextLength);
        }
        // ids past the context are never used: encode only one more than fits, enough to tell truncation apart
        int[] ids = encode(text, contextLength - 1);
        long[] out = new long[contextLength];
        if (ids.length + 2 > contextLength && !truncate) {
            throw new IllegalArgumentException("Input \"" + text + "\" is too long for context length "
                    + contextLength);
        }
        out[0] = sot;
        int n = Math.min(ids.length, contextLength - 1);
        for (int i = 0; i < n; i++) {
            out[1 + i] = ids[i];
        }
        out[Math.min(1 + ids.length, contextLength - 1)] = eot;
        return out;
    }

    /**
     * {@code clip.tokenize(texts, truncate=True)} flattened row by row: {@code texts.size() × 77} ids, ready for an
     * (N, 77) int64 tensor.
     */
    public long[] tokenizeBatch(List<String> texts) {
        long[] out = new long[texts.size() * DEFAULT_CONTEXT_LENGTH];
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(tokenize(texts.get(i)), 0, out, i * DEFAULT_CONTEXT_LENGTH, DEFAULT_CONTEXT_LENGTH);
        }
        return out;
    }

    /**
     * CLIP's {@code SimpleTokenizer.decode}: the pieces joined, read back as UTF-8 (bad bytes become U+FFFD) and
     * {@code </w>} turned into a space.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= decoder.length) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.."
                        + (decoder.length - 1) + ")");
            }
            sb.append(decoder[id]);
        }
        byte[] bytes = new byte[sb.length()];
        for (int i = 0; i < sb.length(); i++) {
            int b = ByteEncoder.byteOf(sb.charAt(i));
            if (b < 0) {
                throw new IllegalStateException("vocabulary entry with a non-byte character: " + sb.charAt(i));
            }
            bytes[i] = (byte) b;
        }
        return new String(bytes, StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
    }

    /** @return the number of ids: 256 + 256 + merges + 2 (49,408 for OpenAI's file) */
    public int vocabSize() {
        return decoder.length;
    }

    /** @return how many merges were read */
    public int mergeCount() {
        return mergeCount;
    }

    /** @return the id of {@code <|startoftext|>} */
    public int sot() {
        return sot;
    }

    /** @return the id of {@code <|endoftext|>} */
    public int eot() {
        return eot;
    }
}
