package dev.vqclip.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.guide.PromptSpan;
import dev.vqclip.engine.run.GenerationRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Scheduled prompts survive run files and sessions; files from before schedules read as prompts for every step. */
class RequestJsonSpanTest {
    @Test
    void spansRoundTripAndOldPromptsActAlways() throws Exception {
        List<Prompt> story = PromptParser.parse("a forest:0-150~20 | a burning forest:1.5:130-300~20 | ashes:280-"
                + " | sky");
        GenerationRequest r = GenerationRequest.defaults(story);
        ObjectNode o = RequestJson.write(r);
        String json = new ObjectMapper().writeValueAsString(o);
        GenerationRequest back = RequestJson.read(new ObjectMapper().readTree(json), "run.json");
        assertThat(back.prompts()).isEqualTo(story);
        assertThat(((ArrayNode) o.get("prompts")).get(3).has("from")).as("an unscheduled prompt is written as before")
                .isFalse();
        assertThat(((ArrayNode) o.get("prompts")).get(2).get("until").isNull()).isTrue();
        ObjectNode old = new ObjectMapper().createObjectNode();
        old.put("text", "a lighthouse");
        old.put("weight", 1.0);
        ArrayNode arr = new ObjectMapper().createArrayNode().add(old);
        assertThat(RequestJson.readPrompts(arr, "s").get(0).span()).isEqualTo(PromptSpan.ALWAYS);
    }

    @Test
    void aBadSpanNamesItsField() {
        ObjectNode p = new ObjectMapper().createObjectNode();
        p.put("text", "x");
        p.put("weight", 1.0);
        p.put("from", "soon");
        ArrayNode arr = new ObjectMapper().createArrayNode().add(p);
        assertThatThrownBy(() -> RequestJson.readPrompts(arr, "run.json")).hasMessageContaining(
                "run.json: prompt span field 'from' must be a whole number");
        p.put("from", 50);
        p.put("until", 10);
        assertThatThrownBy(() -> RequestJson.readPrompts(arr, "run.json")).hasMessageContaining(
                "span must end after it starts, got 50-10");
    }
}
