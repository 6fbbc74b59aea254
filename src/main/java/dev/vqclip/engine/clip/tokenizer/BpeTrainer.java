package dev.vqclip.engine.clip.tokenizer;

import dev.vqclip.engine.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Learns BPE merges from captions, the way CLIP's vocabulary was made, so a small demo model can ship its own small
 * merges file. Captions go through the same cleaning, pattern and byte characters as {@link ClipTokenizer}; each
 * word's last symbol carries {@code </w>}; then the most frequent adjacent pair (ties: the smaller pair in string
 * order, so the result is deterministic) is merged everywhere, again and again. The special tokens are not learnt.
 *
 * <p>{@link #write} saves the merges in CLIP's format, which {@link ClipTokenizer#load} reads back. Stateless.
 */
public final class BpeTrainer {
    /** The first line of a written merges file (CLIP skips the first line, whatever it says). */
    public static final String HEADER = "#version: 0.2 (learnt by vqclip BpeTrainer)";

    /** One merge: two adjacent symbols (in byte characters) that become one. */
    public record Merge(String left, String right) {
        public Merge {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    private BpeTrainer() {
    }

    /**
     * Learns up to {@code maxMerges} merges (fewer when every word is already one symbol).
     *
     * @param captions training text, raw (it is cleaned here)
     * @param maxMerges at most this many, at most {@link ClipTokenizer#MAX_MERGES}
     * @return the merges, most frequent first (rank order)
     * @throws IllegalArgumentException when {@code maxMerges} is negative or too large
     */
    public static List<Merge> train(Collection<String> captions, int maxMerges) {
        if (maxMerges < 0 || maxMerges > ClipTokenizer.MAX_MERGES) {
            throw new IllegalArgumentException("number of merges must be in 0.." + ClipTokenizer.MAX_MERGES
                    + ", got " + maxMerges);
        }
        Map<String, Integer> wordCounts = new LinkedHashMap<>();
        for (String caption : captions) {
            for (String pre : ClipTokenizer.pretokenize(ClipTokenizer.clean(caption))) {
                if (pre.equals(ClipTokenizer.START_OF_TEXT) || pre.equals(ClipTokenizer.END_OF_TEXT)) {
                    continue;
                }
                wordCounts.merge(ByteEncoder.encode(pre), 1, Integer::sum);
            }
        }
        List<List<String>> words = new ArrayList<>(wordCounts.size());
        int[] counts = new int[wordCounts.size()];
        int w = 0;
        for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
            String token = e.getKey();
            List<String> symbols = new ArrayList<>(token.length());
            for (int i = 0; i < token.length() - 1; i++) {
                symbols.add(String.valueOf(token.charAt(i)));
            }
            symbols.add(token.charAt(token.length() - 1) + ClipTokenizer.END_OF_WORD);
            words.add(symbols);
            counts[w++] = e.getValue();
        }

        List<Merge> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<Merge, Long> pairCounts = new HashMap<>();
            for (int i = 0; i < words.size(); i++) {
                List<String> s = words.get(i);
                for (int k = 0; k + 1 < s.size(); k++) {
                    pairCounts.merge(new Merge(s.get(k), s.get(k + 1)), (long) counts[i], Long::sum);
                }
            }
            Merge best = null;
            long bestCount = 0;
            for (Map.Entry<Merge, Long> e : pairCounts.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && compare(e.getKey(), best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) {
                break;
            }
            merges.add(best);
            for (int i = 0; i < words.size(); i++) {
                words.set(i, apply(words.get(i), best));
            }
        }
        return merges;
    }

    private static int compare(Merge a, Merge b) {
        int c = a.left().compareTo(b.left());
        return c != 0 ? c : a.right().compareTo(b.right());
    }

    private static List<String> apply(List<String> symbols, Merge m) {
        List<String> out = new ArrayList<>(symbols.size());
        int i = 0;
        while (i < symbols.size()) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(m.left()) && symbols.get(i + 1).equals(m.right())) {
                out.add(m.left() + m.right());
                i += 2;
            } else {
                out.add(symbols.get(i));
                i++;
            }
        }
        return out;
    }

    /**
     * Writes merges in CLIP's format: gzip-compressed UTF-8, {@link #HEADER}, then {@code left right} per line.
     *
     * @param mergesGz the file to create or replace, e.g. {@code demo_vocab.txt.gz}
     * @throws IllegalArgumentException when a symbol is empty or contains whitespace
     */
    public static void write(List<Merge> merges, Path mergesGz) throws IOException {
        for (Merge m : merges) {
            checkSymbol(m.left());
            checkSymbol(m.right());
        }
        AtomicFiles.write(mergesGz, out -> write(merges, out));
    }

    private static void checkSymbol(String symbol) {
        if (symbol.isEmpty() || ClipTokenizer.containsWhitespace(symbol)) {
            throw new IllegalArgumentException("merge symbol \"" + symbol + "\" is empty or contains whitespace");
        }
    }

    /** Writes merges gzip-compressed to a stream, finishing the gzip data but leaving the stream open. */
    public static void write(List<Merge> merges, OutputStream out) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out);
        Writer writer = new BufferedWriter(new OutputStreamWriter(gz, StandardCharsets.UTF_8));
        writer.write(HEADER);
        writer.write('\n');
        for (Merge m : merges) {
            checkSymbol(m.left());
            checkSymbol(m.right());
            writer.write(m.left());
            writer.write(' ');
            writer.write(m.right());
            writer.write('\n');
        }
        writer.flush();
        gz.finish();
    }
}
