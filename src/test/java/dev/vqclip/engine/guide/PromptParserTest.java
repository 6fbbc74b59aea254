package dev.vqclip.engine.guide;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptParserTest {
    @Test
    void splitsOnBarsAndReadsWeightsAndStops() {
        List<Prompt> p = PromptParser.parse("a red apple | a bowl:0.5 | blurry:-1 | sky:2:-0.3");
        assertThat(p).containsExactly(new Prompt("a red apple", 1.0), new Prompt("a bowl", 0.5),
                new Prompt("blurry", -1.0), new Prompt("sky", 2.0, -0.3));
    }

    @Test
    void aNumberAfterTheLastColonIsAlwaysTheWeight() {
        // documented limitation of the syntax: write "time 10:30:1" to keep "time 10:30" as text
        assertThat(PromptParser.parseOne("time 10:30")).isEqualTo(new Prompt("time 10", 30));
        assertThat(PromptParser.parseOne("time 10:30:1:-inf").text()).isEqualTo("time 10:30");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "a | | b", ":0.5", "cat:1.2.3", "cat:-", "cat:inf"})
    void malformedPromptsAreRefusedWithTheReason(String spec) {
        assertThatThrownBy(() -> PromptParser.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("NumberFormatException");
    }

    @Test
    void formatReadsBack() {
        List<Prompt> p = List.of(new Prompt("a cat", 1), new Prompt("dog", -0.5), new Prompt("x", 2, 0.1));
        assertThat(PromptParser.parse(PromptParser.format(p))).isEqualTo(p);
    }

    @Test
    void stopMayBeMinusInfinity() {
        assertThat(PromptParser.parseOne("a:1:-inf").stop()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "a red circle:abc;abc",
        "sky:1.5x;1.5x",
        "a red circle:abc:0.5;abc",
        "cat:heavy;heavy"})
    void aWordDirectlyAfterAColonIsRefusedAsAWeightNamingIt(String spec, String named) {
        assertThatThrownBy(() -> PromptParser.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + named + "' is not a number").hasMessageContaining("weight")
                .hasMessageContaining("\\:");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "a photo: the sea;a photo: the sea;1.0",
        "https://example.org/x.png;https://example.org/x.png;1.0",
        "ratio 16:9 poster:0.5;ratio 16:9 poster;0.5",
        "label\\:abc;label:abc;1.0",
        "time 10\\:30;time 10:30;1.0",
        "a red circle: abc;a red circle: abc;1.0",
        "happy :);happy :);1.0",
        "https://example.org/x.png:0.5;https://example.org/x.png;0.5",
        "a photo: the sea:2;a photo: the sea;2.0"})
    void colonsThatAreTextStayTextEscapedOrNot(String spec, String text, double weight) {
        Prompt p = PromptParser.parseOne(spec);
        assertThat(p.text()).isEqualTo(text);
        assertThat(p.weight()).isEqualTo(weight);
    }

    @Test
    void formatEscapesColonsThatWouldReadBackAsWeights() {
        List<Prompt> p = List.of(new Prompt("time 10:30"), new Prompt("label:abc", -0.5), new Prompt("rating: 5", 2),
                new Prompt("https://example.org/x.png"), new Prompt("a:b c:d", 1, 0.2));
        String spec = PromptParser.format(p);
        assertThat(spec).startsWith("time 10\\:30:1 | label\\:abc:-0.5 | rating\\: 5:2 | https://example.org/x.png:1");
        assertThat(PromptParser.parse(spec)).isEqualTo(p);
    }
}
