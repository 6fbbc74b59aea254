package dev.vqclip.engine.guide;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The story syntax: prompts that act from one step to another, with fades; the old syntax keeps its meaning. */
class PromptScheduleTest {
    @Test
    void storyPartsGetTheirSpans() {
        List<Prompt> p = PromptParser.parse("a forest:0-150 | a burning forest:150-300 | ashes:300-");
        assertThat(p).extracting(Prompt::text).containsExactly("a forest", "a burning forest", "ashes");
        assertThat(p).extracting(Prompt::weight).containsExactly(1.0, 1.0, 1.0);
        assertThat(p.get(0).span()).isEqualTo(new PromptSpan(0, 150, 0));
        assertThat(p.get(1).span()).isEqualTo(new PromptSpan(150, 300, 0));
        assertThat(p.get(2).span()).isEqualTo(new PromptSpan(300, PromptSpan.OPEN, 0));
        Prompt w = PromptParser.parseOne("fog:-0.5:0.8:10-40~5");
        assertThat(w.weight()).isEqualTo(-0.5);
        assertThat(w.stop()).isEqualTo(0.8);
        assertThat(w.span()).isEqualTo(new PromptSpan(10, 40, 5));
        assertThat(PromptParser.parseOne("a lighthouse:2").span()).isEqualTo(PromptSpan.ALWAYS);
    }

    @Test
    void specsReadBackToTheSamePrompts() {
        String spec = "a forest:0-150~20 | a burning forest:1.5:130-300~20 | ashes:280- | sky\\:blue:0.5";
        List<Prompt> p = PromptParser.parse(spec);
        assertThat(PromptParser.parse(PromptParser.format(p))).isEqualTo(p);
        assertThat(PromptParser.format(p)).contains("a forest:1:0-150~20").contains("ashes:1:280-");
    }

    @Test
    void aSpanAloneParsesOrNamesItsProblem() {
        assertThat(PromptParser.parseSpan("10-30~5")).isEqualTo(new PromptSpan(10, 30, 5));
        assertThat(PromptParser.parseSpan(" 40- ")).isEqualTo(new PromptSpan(40, PromptSpan.OPEN, 0));
        assertThat(PromptParser.parseSpan("")).isEqualTo(PromptSpan.ALWAYS);
        assertThatThrownBy(() -> PromptParser.parseSpan("ten-20")).hasMessageContaining("span 'ten-20' is not");
        assertThatThrownBy(() -> PromptParser.parseSpan("30-10")).hasMessageContaining("must end after it starts");
        assertThatThrownBy(() -> PromptParser.parseSpan("0-99999999999")).hasMessageContaining("too large");
        assertThatThrownBy(() -> PromptParser.parse("a:0-99999999999")).hasMessageContaining("prompt \"a:0-")
                .hasMessageContaining("too large");
    }

    @Test
    void aSpanActsExactlyFromItsStartToItsEndWithItsFades() {
        PromptSpan s = new PromptSpan(3, 6, 0);
        double[] f = new double[9];
        for (int k = 0; k < f.length; k++) {
            f[k] = s.factor(k);
        }
        assertThat(f).containsExactly(0, 0, 0, 1, 1, 1, 0, 0, 0);
        PromptSpan ramp = new PromptSpan(10, 20, 4);
        assertThat(ramp.factor(9)).isZero();
        assertThat(ramp.factor(10)).isEqualTo(0.25);
        assertThat(ramp.factor(13)).isEqualTo(1.0);
        assertThat(ramp.factor(16)).isEqualTo(1.0);
        assertThat(ramp.factor(17)).isEqualTo(0.75);
        assertThat(ramp.factor(19)).isEqualTo(0.25);
        assertThat(ramp.factor(20)).isZero();
        assertThat(new PromptSpan(5, PromptSpan.OPEN, 2).factor(1_000_000)).isEqualTo(1.0);
    }

    @Test
    void impossibleSpansAreRefusedNamingThePrompt() {
        assertThatThrownBy(() -> PromptParser.parse("a:20-10")).hasMessage(
                "prompt \"a:20-10\": a prompt's span must end after it starts, got 20-10");
        assertThatThrownBy(() -> PromptParser.parse("b:0-10~6")).hasMessageContaining(
                "prompt \"b:0-10~6\": ramp 6 does not fit twice into the span 0-10");
        assertThatThrownBy(() -> PromptParser.parse("c:0-99999999999")).hasMessageContaining("too large");
    }
}
