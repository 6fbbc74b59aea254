package dev.vqclip.engine.clip.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** All 44 reference cases of {@code tokenizer_cases.json}, every stage compared exactly with the Python output. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClipTokenizerReferenceTest {
    private ClipTokenizer tokenizer;
    private JsonNode root;

    @BeforeAll
    void load() throws IOException {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        tokenizer = ClipTokenizer.load(Reference.file("clip/bpe_simple_vocab_16e6.txt.gz"));
        System.out.printf("perf   loading the 48,894-merge vocabulary (cold JVM) took %.0f ms wall, %.0f ms CPU%n",
                (System.nanoTime() - t0) / 1e6, (mx.getCurrentThreadCpuTime() - cpu0) / 1e6);
        root = new ObjectMapper().readTree(Reference.file("tokenizer_cases.json").toFile());
    }

    private List<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        root.get("cases").forEach(out::add);
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int[] ints(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }

    private static long[] longs(JsonNode array) {
        return IntStream.range(0, array.size()).mapToLong(i -> array.get(i).asLong()).toArray();
    }

    @Test
    void vocabularyHasClipSizeAndSpecialIds() {
        assertThat(tokenizer.vocabSize()).isEqualTo(root.get("vocab_size").asInt()).isEqualTo(49408);
        assertThat(tokenizer.sot()).isEqualTo(root.get("sot").asInt());
        assertThat(tokenizer.eot()).isEqualTo(root.get("eot").asInt());
        assertThat(cases()).hasSize(44);
    }

    /**
     * The stages compared one to one with a field of each case: the field, the field it starts from, the stage, and
     * how the expected value is read from the JSON.
     */
    Stream<Arguments> stages() {
        Function<JsonNode, Object> text = JsonNode::asText;
        return Stream.of(
                Arguments.of("ftfy_fixed", "text", (Function<String, Object>) Ftfy::fixText, text),
                Arguments.of("cleaned", "text", (Function<String, Object>) ClipTokenizer::clean, text),
                Arguments.of("pretokens", "cleaned", (Function<String, Object>) ClipTokenizer::pretokenize,
                        (Function<JsonNode, Object>) ClipTokenizerReferenceTest::strings),
                Arguments.of("bpe_ids", "text", (Function<String, Object>) s -> tokenizer.encode(s),
                        (Function<JsonNode, Object>) ClipTokenizerReferenceTest::ints));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void stageMatchesPythonOnEveryCase(String field, String from, Function<String, Object> stage,
                                       Function<JsonNode, Object> expected) {
        for (JsonNode c : cases()) {
            assertThat(stage.apply(c.get(from).asText())).as("%s of %s", field, c.get("text"))
                    .isEqualTo(expected.apply(c.get(field)));
        }
    }

    @Test
    void bpePiecesMatchPythonOnEveryCase() {
        for (JsonNode c : cases()) {
            JsonNode pre = c.get("pretokens");
            JsonNode bpe = c.get("bpe");
            assertThat(bpe.size()).isEqualTo(pre.size());
            for (int i = 0; i < pre.size(); i++) {
                assertThat(tokenizer.bpePieces(pre.get(i).asText())).as("bpe of %s in %s", pre.get(i), c.get("text"))
                        .containsExactlyElementsOf(strings(bpe.get(i)));
            }
        }
    }

    @Test
    void tokenizeMatchesPythonOnEveryCase() {
        int truncated = 0;
        for (JsonNode c : cases()) {
            String text = c.get("text").asText();
            assertThat(tokenizer.tokenize(text)).as("tokens77 of %s", c.get("text"))
                    .containsExactly(longs(c.get("tokens77")));
            boolean tooLong = tokenizer.encode(text).length + 2 > 77;
            assertThat(tooLong).as("truncated flag of %s", c.get("text")).isEqualTo(c.get("truncated").asBoolean());
            truncated += tooLong ? 1 : 0;
        }
        assertThat(truncated).as("cases that need truncation").isEqualTo(2);
    }
}
