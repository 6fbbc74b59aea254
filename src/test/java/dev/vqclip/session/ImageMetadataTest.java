package dev.vqclip.session;

import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.image.PngTest;
import dev.vqclip.engine.run.GenerationRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one set of image text keys, and the check the CLI and studio export tests share. */
public class ImageMetadataTest {
    /**
     * Asserts that a PNG written by this program carries {@code prompt} (weight 1) exactly, in UTF-8 iTXt only, with
     * the seed, step and request every writer puts there.
     *
     * @return the text read back
     */
    public static Map<String, String> assertReadsBack(byte[] png, String prompt, long seed, int step)
            throws IOException {
        Map<String, String> text = Png.readText(png);
        assertThat(text.get("vqclip.prompts")).isEqualTo(prompt + ":1");
        assertThat(text.get("Title")).isEqualTo(prompt + ":1");
        assertThat(text.get("vqclip.request")).contains(prompt).contains("\"seed\":" + seed);
        assertThat(text).containsEntry("Software", ImageMetadata.SOFTWARE)
                .containsEntry("vqclip.step", Integer.toString(step)).containsEntry("vqclip.seed", Long.toString(seed))
                .containsKeys("vqclip.settings", "vqclip.models");
        assertThat(PngTest.chunkTypes(png)).contains("iTXt").doesNotContain("tEXt");
        return text;
    }

    @Test
    void theKeysAreTheSameForEveryWriterAndOnlyTheRequestsOnesNeedARequest() {
        GenerationRequest r = GenerationRequest.defaults(PromptParser.parse("猫 café ñ | blurry:-0.5"))
                .withSize(48, 32).withSeed(9).withAugmentations(Augmentations.none());
        Map<String, String> md = ImageMetadata.of(r, 12, "tiny models");
        assertThat(md.keySet()).containsExactly("Software", "Title", "vqclip.prompts", "vqclip.step", "vqclip.seed",
                "vqclip.settings", "vqclip.models", "vqclip.request");
        assertThat(md).containsEntry("vqclip.prompts", "猫 café ñ:1 | blurry:-0.5").containsEntry("vqclip.step", "12")
                .containsEntry("vqclip.seed", "9").containsEntry("vqclip.models", "tiny models");
        assertThat(md.get("vqclip.settings")).startsWith("size=48x32 ");
        assertThat(md.get("vqclip.request")).contains("猫 café ñ").contains("\"seed\":9");
        assertThat(ImageMetadata.of(List.of(), null, 0, "engine").keySet())
                .containsExactly("Software", "Title", "vqclip.prompts", "vqclip.step", "vqclip.models");
    }
}
