package dev.vqclip.engine.clip.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClipTokenizerBehaviourTest {
    private ClipTokenizer clip;

    @BeforeAll
    void load() throws IOException {
        clip = ClipTokenizer.load(Reference.file("clip/bpe_simple_vocab_16e6.txt.gz"));
    }

    @Test
    void shortContextTruncatesAndEndsWithEot() {
        int[] ids = clip.encode("a red apple");
        assertThat(ids).hasSize(3);
        assertThat(clip.tokenize("a red apple", 5, false)).containsExactly(49406, ids[0], ids[1], ids[2], 49407);
        assertThat(clip.tokenize("a red apple", 4, true)).containsExactly(49406, ids[0], ids[1], 49407);
        assertThat(clip.tokenize("a red apple", 1, true)).containsExactly(49407);
        assertThat(clip.tokenize("", 3, false)).containsExactly(49406, 49407, 0);
    }

    @Test
    void tooLongTextWithoutTruncationIsRejectedByName() {
        assertThatThrownBy(() -> clip.tokenize("a red apple", 4, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a red apple\"").hasMessageContaining("context length 4");
        assertThatThrownBy(() -> clip.tokenize("x", 0, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodeInvertsEncodeUpToSpacing() {
        assertThat(clip.decode(clip.encode("A red apple, by J.M.W. Turner!"))).isEqualTo("a red apple , by j . m . w . turner ! ");
        assertThat(clip.decode(clip.encode("東京 🍎"))).isEqualTo("東京 🍎 ");
        assertThat(clip.decode(new int[] {49406, 320, 49407})).isEqualTo("<|startoftext|>a <|endoftext|>");
        assertThatThrownBy(() -> clip.decode(new int[] {49408})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("49408");
        assertThatThrownBy(() -> clip.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchOfTheFourPromptsEqualsTheReferenceTokenTensor() {
        List<String> prompts = List.of("a red apple", "an astronaut in the style of van Gogh",
                "Baba Yaga's house + fantasy art", "the Tower of Babel by J.M.W. Turner");
        assertThat(clip.tokenizeBatch(prompts)).containsExactly(Reference.longs("clip/text_tokens.npy"));
    }

    @Test
    void truncationOnlyEncodesWhatFits() {
        String longText = "a red apple ".repeat(100_000);
        long[] row = clip.tokenize(longText);
        int apple = clip.encode("apple")[0];
        assertThat(row[3]).isEqualTo(apple);
        assertThat(row[74]).isEqualTo(clip.encode("red")[0]);
        assertThat(row[75]).isEqualTo(apple);
        assertThat(row[76]).isEqualTo(49407);
        assertThat(clip.encode("a red apple ".repeat(30))).hasSize(90);
    }

    @Test
    void literalSpecialTokensInTextBecomeSpecialIds() {
        assertThat(clip.encode("<|startoftext|>hi<|ENDOFTEXT|>")).startsWith(49406).endsWith(49407);
    }

    @Test
    void sameResultsFromManyThreads() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(Reference.file("tokenizer_cases.json").toFile()).get("cases");
        List<String> texts = new ArrayList<>();
        cases.forEach(c -> texts.add(c.get("text").asText()));
        ClipTokenizer fresh = ClipTokenizer.load(Reference.file("clip/bpe_simple_vocab_16e6.txt.gz"));
        List<long[]> expected = new ArrayList<>();
        for (String t : texts) {
            expected.add(clip.tokenize(t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int offset = w;
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < texts.size(); i++) {
                            int k = (i + offset * 5) % texts.size();
                            if (!Arrays.equals(expected.get(k), fresh.tokenize(texts.get(k)))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void encodesQuickly() {
        String prompt = "A surreal, highly detailed matte painting of an ancient city floating above the clouds";
        for (int i = 0; i < 200; i++) {
            clip.encode(prompt + i);
        }
        long t0 = System.nanoTime();
        int n = 2000;
        for (int i = 0; i < n; i++) {
            clip.tokenize(prompt + " " + i);
        }
        double us = (System.nanoTime() - t0) / 1e3 / n;
        System.out.printf("perf   tokenize of a 15-word prompt: %.1f µs%n", us);
        assertThat(us).isPositive();
    }

    @Test
    void arbitraryUnicodeNeverBreaksTheTokenizer() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(30);
            for (int k = 0; k < len; k++) {
                int pick = random.nextInt(4);
                char c = pick == 0 ? (char) random.nextInt(0x100) // Latin-1 and C1 controls: mojibake material
                        : pick == 1 ? "&;#<>'\u2019\u00c3\u00a9\u00e2\u20ac\u2122 \n\r".charAt(random.nextInt(15))
                        : (char) random.nextInt(0x10000); // includes lone surrogates
                sb.append(c);
            }
            String text = sb.toString();
            long[] ids = clip.tokenize(text);
            assertThat(ids).hasSize(77);
            assertThat(ids[0]).isEqualTo(49406);
            assertThat(ids).contains(49407L);
            String fixed = Ftfy.fixText(text);
            assertThat(fixed.codePoints().filter(cp -> Character.getType(cp) == Character.SURROGATE
                    || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\f') || (cp >= 0x7F && cp <= 0x9F && "\u0081\u008d\u008f\u0090\u009d".indexOf(cp) < 0)))
                    .as("no lone surrogates, CR or controls (but the 5 that Windows-1252 lacks) in %s", fixed).isEmpty();
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void malformedMergesFilesAreRejectedWithTheLine(@TempDir Path dir) throws IOException {
        Path plain = dir.resolve("plain.txt.gz");
        Files.writeString(plain, "#version\ni n\n");
        assertThatThrownBy(() -> ClipTokenizer.load(plain)).isInstanceOf(IOException.class)
                .hasMessageContaining("plain.txt.gz").hasMessageContaining("gzip");

        Path three = dir.resolve("three.txt.gz");
        Files.write(three, gzip("#version\ni n\na b c\n"));
        assertThatThrownBy(() -> ClipTokenizer.load(three)).isInstanceOf(IOException.class)
                .hasMessageContaining("three.txt.gz line 3").hasMessageContaining("two symbols");

        Path notBytes = dir.resolve("odd.txt.gz");
        Files.write(notBytes, gzip("#version\n\u00e9 x\n")); // é (U+00E9) is a byte character, U+4E00 is not
        assertThat(ClipTokenizer.load(notBytes).vocabSize()).isEqualTo(515);
        Files.write(notBytes, gzip("#version\n\u4e00 x\n"));
        assertThatThrownBy(() -> ClipTokenizer.load(notBytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("line 2").hasMessageContaining("byte characters");

        byte[] badUtf8 = gzip("#version\ni n\n");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            gz.write("#v\ni \u00ff".getBytes(StandardCharsets.ISO_8859_1));
        }
        assertThatThrownBy(() -> ClipTokenizer.fromStream(new ByteArrayInputStream(raw.toByteArray())))
                .isInstanceOf(IOException.class).hasMessageContaining("UTF-8");

        byte[] truncated = Arrays.copyOf(badUtf8, badUtf8.length - 6);
        assertThatThrownBy(() -> ClipTokenizer.fromStream(new ByteArrayInputStream(truncated)))
                .isInstanceOf(IOException.class);

        assertThatThrownBy(() -> ClipTokenizer.fromStream(new ByteArrayInputStream(gzip(""))))
                .isInstanceOf(IOException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> ClipTokenizer.load(dir.resolve("absent.gz"))).isInstanceOf(IOException.class)
                .hasMessageContaining("absent.gz");
    }

    @Test
    void headerOnlyFileGivesTheByteVocabulary() throws IOException {
        ClipTokenizer bytesOnly = ClipTokenizer.fromStream(new ByteArrayInputStream(gzip("#version: 0.2\n")));
        assertThat(bytesOnly.vocabSize()).isEqualTo(514);
        assertThat(bytesOnly.sot()).isEqualTo(512);
        assertThat(bytesOnly.encode("ab")).containsExactly('a' - '!', 256 + 'b' - '!');
    }
}
