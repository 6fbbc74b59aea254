package dev.vqclip.engine.clip.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpeTrainerTest {
    private static final List<String> CAPTIONS = List.of(
            "a red apple on a table", "a green apple in the rain", "the red planet at night",
            "an apple tree in the garden", "a painting of a red apple", "Baba Yaga's house, fantasy art",
            "the tower of babel", "a tree on a planet");

    @Test
    void learntMergesRoundTripThroughTheMergesFile(@TempDir Path dir) throws IOException {
        List<BpeTrainer.Merge> merges = BpeTrainer.train(CAPTIONS, 60);
        assertThat(merges).hasSize(60);
        Path file = dir.resolve("demo_vocab.txt.gz");
        BpeTrainer.write(merges, file);

        ClipTokenizer tok = ClipTokenizer.load(file);
        assertThat(tok.mergeCount()).isEqualTo(60);
        assertThat(tok.vocabSize()).isEqualTo(512 + 60 + 2);
        assertThat(tok.sot()).isEqualTo(572);
        assertThat(tok.eot()).isEqualTo(573);

        for (String caption : CAPTIONS) {
            int[] ids = tok.encode(caption);
            List<String> pre = ClipTokenizer.pretokenize(ClipTokenizer.clean(caption));
            assertThat(tok.decode(ids)).as(caption).isEqualTo(String.join(" ", pre) + " ");
            int bytes = ClipTokenizer.clean(caption).replace(" ", "").getBytes(StandardCharsets.UTF_8).length;
            assertThat(ids.length).as("merges shorten %s", caption).isLessThan(bytes);
        }
        // "apple" occurs 4 times and "red" 3 times: both end up as single tokens
        assertThat(tok.bpePieces("apple")).containsExactly("apple</w>");
        assertThat(tok.encode("red apple")).hasSize(2);
        // the id of a merged string is 512 + its rank, as in CLIP
        BpeTrainer.Merge first = merges.get(0);
        String merged = first.left() + first.right();
        assertThat(tok.decode(new int[] {512}))
                .isEqualTo(decodeBytes(merged) + (merged.endsWith("</w>") ? " " : ""));
        // unseen text still tokenizes (down to byte characters)
        assertThat(tok.decode(tok.encode("zebra ☃"))).isEqualTo("zebra ☃ ");
        long[] t = tok.tokenize("a red apple");
        assertThat(t[0]).isEqualTo(572);
        assertThat(t).hasSize(77);
    }

    private static String decodeBytes(String byteChars) {
        String body = byteChars.replace("</w>", "");
        byte[] b = new byte[body.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ByteEncoder.byteOf(body.charAt(i));
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void firstMergeIsTheMostFrequentPair() {
        List<BpeTrainer.Merge> merges = BpeTrainer.train(List.of("aa aa aa ab"), 2);
        // words: "aa" x3 -> a, a</w>; "ab" -> a, b</w>. Most frequent pair: (a, a</w>) with 3
        assertThat(merges.get(0)).isEqualTo(new BpeTrainer.Merge("a", "a</w>"));
        assertThat(merges.get(1)).isEqualTo(new BpeTrainer.Merge("a", "b</w>"));
        assertThat(BpeTrainer.train(List.of("aa aa aa ab"), 10)).as("stops when words are whole").hasSize(2);
    }

    @Test
    void writesClipsFormat() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BpeTrainer.write(List.of(new BpeTrainer.Merge("i", "n"), new BpeTrainer.Merge("t", "h</w>")), out);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(BpeTrainer.HEADER + "\ni n\nt h</w>\n");
        }
        ClipTokenizer tok = ClipTokenizer.fromStream(new ByteArrayInputStream(out.toByteArray()));
        // "ink" -> i n k</w> -> in k</w>; "th" -> t h</w> -> th</w>; printable ASCII bytes come first in the vocabulary
        assertThat(tok.encode("ink th")).containsExactly(512, 256 + ('k' - '!'), 513);
        assertThat(tok.encode("in")).containsExactly('i' - '!', 256 + ('n' - '!'));
    }

    @Test
    void rejectsBadArguments(@TempDir Path dir) {
        assertThatThrownBy(() -> BpeTrainer.train(CAPTIONS, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BpeTrainer.write(List.of(new BpeTrainer.Merge("a b", "c")), dir.resolve("x.gz")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whitespace");
    }
}
