package dev.vqclip.engine.vqgan;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 21: YAML aliases cannot build an exponential graph (a list doubling per level, used as a mapping key). */
class YamlAliasGraphTest {
    @Test
    void aliasesDoublingAListAreRefusedBeforeTheGraphIsHashed() {
        StringBuilder y = new StringBuilder("l0: &a0 [x, y]\n");
        for (int i = 1; i < 25; i++) {
            y.append("l").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1)
                    .append("]\n");
        }
        y.append("? *a24\n: 1\nmodel: {target: taming.models.vqgan.VQModel}\n");
        assertThatThrownBy(() -> VqganConfig.parse(y.toString(), "dag.yaml"))
                .isInstanceOf(VqganConfigException.class)
                .hasMessageStartingWith("dag.yaml: not valid yaml: Number of aliases for non-scalar nodes exceeds");
    }
}
