package dev.vqclip.engine.run;

import dev.vqclip.engine.DeviceMemory;
import dev.vqclip.engine.guide.PromptParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The studio's run factory refuses a new run that does not fit, before it starts; saved runs still open. */
class MemoryRefusalTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    @Test
    void aNewRunOverTheLimitIsRefusedWithTheNumbersAndASavedOneStillOpens() {
        GenerationRequest big = GenerationRequest.defaults(PromptParser.parse("a red apple")).withSize(512, 512)
                .withCutouts(16);
        GenerationRequest small = big.withSize(48, 32).withCutouts(2);
        long limit = (MemoryCheck.forModels(TINY.models(), 48, 32, 2, -1).estimate().totalBytes()
                + MemoryCheck.forModels(TINY.models(), 512, 512, 16, -1).estimate().totalBytes()) / 2;
        VqganClipRunFactory factory = new VqganClipRunFactory(TINY.models());
        RunSnapshot saved;
        try (SteppableRun r = factory.start(small)) {
            saved = r.snapshot().withRequest(big);
        }
        String old = System.getProperty(DeviceMemory.LIMIT_PROPERTY);
        System.setProperty(DeviceMemory.LIMIT_PROPERTY, Long.toString(limit));
        try {
            String advice = MemoryCheck.forModels(TINY.models(), 512, 512, 16, limit).advice();
            assertThatThrownBy(() -> factory.start(big)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not enough memory: 512x512 with 16 cutouts needs about")
                    .hasMessageContaining("(the memory limit)").hasMessageEndingWith(advice);
            assertThat(advice).startsWith("lower the size to");
            try (SteppableRun r = factory.start(small)) {
                assertThat(r.stepCount()).isZero();
            }
            try (SteppableRun r = factory.resume(saved)) {
                assertThat(r.request().width()).isEqualTo(512);
            }
        } finally {
            if (old == null) {
                System.clearProperty(DeviceMemory.LIMIT_PROPERTY);
            } else {
                System.setProperty(DeviceMemory.LIMIT_PROPERTY, old);
            }
        }
    }
}
