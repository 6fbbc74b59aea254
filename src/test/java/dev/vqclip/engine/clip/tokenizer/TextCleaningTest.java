package dev.vqclip.engine.clip.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cleaning stages on their own. Expected values for html.unescape, str.lower and the regex come from running
 * Python 3.11 (html, str.lower, regex 2022.10); the ftfy ones are examples from ftfy's documentation and its fixers.
 */
class TextCleaningTest {
    private final HtmlEntities html = HtmlEntities.get();

    @Test
    void pythonUnescapeFollowsHtml5Rules() {
        unescapes("&amp;amp;", "&amp;");
        unescapes("&notit;", "\u00acit;"); // longest prefix without ';'
        unescapes("&noti", "\u00aci");
        unescapes("&copy2023", "\u00a92023");
        unescapes("&#128;", "\u20ac"); // read as Windows-1252
        unescapes("&#x110000;", "\ufffd");
        unescapes("&#99999999999999999999;", "\ufffd");
        unescapes("&#0;", "\ufffd");
        unescapes("&#1;x", "x");
        unescapes("&unknown;", "&unknown;");
        unescapes("&#x1F600;", "\uD83D\uDE00");
    }

    private void unescapes(String text, String expected) {
        assertThat(html.pythonUnescape(text)).as("html.unescape(%s)", text).isEqualTo(expected);
    }

    @Test
    void ftfyUnescapesOnlyCompleteReferencesAndUpperCasedNames() {
        assertThat(html.ftfyUnescape("&eacute; &EACUTE; &eacute &#39; &#59; &unknown;"))
                .isEqualTo("\u00e9 \u00c9 &eacute ' &#59; &unknown;");
    }

    @Test
    void ftfyLeavesEntitiesAloneInLinesWithMarkup() {
        assertThat(Ftfy.fixText("<b>fish &amp; chips</b>")).isEqualTo("<b>fish &amp; chips</b>");
        // once a line with '<' was seen, later lines are not unescaped either (ftfy's "auto" switches off)
        assertThat(Ftfy.fixText("a &amp; b\n<i>\nc &amp; d")).isEqualTo("a & b\n<i>\nc &amp; d");
        // but the tokenizer's own html.unescape still decodes them
        assertThat(ClipTokenizer.clean("<b>fish &amp;amp; chips</b>")).isEqualTo("<b>fish & chips</b>");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "The Mona Lisa doesn\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2t have eyebrows.|The Mona Lisa doesn't have eyebrows.",
        "\u00e2\u0153\u201d No problems|\u2714 No problems",
        "&macr;\\_(\u00e3\u0083\u0084)_/&macr;|\u00af\\_(\u30c4)_/\u00af",
        "caf\u00c3\u00a9 and caf\u00e9|caf\u00e9 and caf\u00e9",
        "smile \u00f0\u0178\u02dc\u20ac|smile \ud83d\ude00",
        "not such a fan of Charlotte Bront\u00eb\u2026\u201d|not such a fan of Charlotte Bront\u00eb\u2026\"",
        "S\u00c3O PAULO|S\u00c3O PAULO",
        "This text was never UTF-8 at all\u0085|This text was never UTF-8 at all\u2026",
    })
    void ftfyRepairsMojibakeButNotRealText(String in, String expected) {
        assertThat(Ftfy.fixText(in)).isEqualTo(expected);
    }

    @Test
    void ftfySimpleFixes() {
        assertThat(Ftfy.fixText("\u201chere\u2019s a test\u201d \u02bc")).isEqualTo("\"here's a test\" '");
        assertThat(Ftfy.fixText("\ufb01ne \ufb03 \u0132")).isEqualTo("fine ffi IJ");
        assertThat(Ftfy.fixText("\uff21\uff22\uff43\uff11\u3000\uff71")).isEqualTo("ABc1 \u30a2"); // half-width kana too
        // U+0085 is a C1 control, read as Windows-1252 "…" before line breaks are looked at (ftfy's order)
        assertThat(Ftfy.fixText("a\r\nb\rc\u2028d\u2029e\u0085")).isEqualTo("a\nb\nc\nd\ne\u2026");
        assertThat(Ftfy.fixText("\u001b[31mred\u001b[0m\u0007\ufeff\u200b")).isEqualTo("red\u200b");
        assertThat(Ftfy.fixText("e\u0301")).isEqualTo("\u00e9");
        assertThat(Ftfy.fixText("lone \ud800 surrogate")).isEqualTo("lone \ufffd surrogate");
        assertThat(Ftfy.fixText("\u0080 and \u0099")).isEqualTo("\u20ac and \u2122");
        assertThat(Ftfy.fixText("")).isEmpty();
    }

    @Test
    void lowerCaseIsPythons() {
        assertThat(ClipTokenizer.pythonLower("\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3."))
                .isEqualTo("\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2.");
        assertThat(ClipTokenizer.pythonLower("\u0391\u03a3.\u0392")).isEqualTo("\u03b1\u03c3.\u03b2");
        assertThat(ClipTokenizer.pythonLower("\u0391\u03a3 \u0392")).isEqualTo("\u03b1\u03c2 \u03b2");
        assertThat(ClipTokenizer.pythonLower("\u03a3")).isEqualTo("\u03c3");
        assertThat(ClipTokenizer.pythonLower("\u0130\u01c5\u1e9e")).isEqualTo("i\u0307\u01c6\u00df");
    }

    @Test
    void whitespaceAndPatternFollowTheRegexModule() {
        assertThat(ClipTokenizer.clean(" a\u00a0b\u2003c\u3000d\u200be\u1680f\u202f ")).isEqualTo("a b c d\u200be f");
        // U+0345 matches none of the alternatives under IGNORECASE, so it is dropped
        assertThat(ClipTokenizer.pretokenize("a\u0345b !\u0345?")).containsExactly("a", "b", "!", "?");
        // contractions are case-insensitive, also with the long s
        assertThat(ClipTokenizer.pretokenize("it'S x'\u017f")).containsExactly("it", "'S", "x", "'\u017f");
        assertThat(ClipTokenizer.pretokenize("<|startoftext|>42nd")).containsExactly("<|startoftext|>", "4", "2", "nd");
        assertThat(ClipTokenizer.pretokenize("\ud83d\udc69\u200d\ud83d\ude80")).containsExactly("\ud83d\udc69\u200d\ud83d\ude80");
        assertThat(ClipTokenizer.pretokenize("")).isEqualTo(List.of());
    }
}
