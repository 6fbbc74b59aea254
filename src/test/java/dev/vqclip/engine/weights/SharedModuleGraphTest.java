package dev.vqclip.engine.weights;

import dev.vqclip.testing.CraftedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 21, item 1: a TorchScript module graph whose levels share one child (2^depth attribute paths) is walked in
 * depth + 1 visits, so the crafted 40-level archive loads at once instead of hanging.
 */
class SharedModuleGraphTest {
    @TempDir
    Path tmp;

    @Test
    void eachModuleObjectIsVisitedOnceHoweverManyPathsLeadToIt() {
        ScriptObject leaf = new ScriptObject("__torch__.M");
        TensorRef t = new TensorRef(new StorageRef("0", DType.FLOAT32, 4, null, 0), 0, new long[] {4}, new long[] {1});
        leaf.attributes().put("weight", t);
        ScriptObject top = leaf;
        for (int level = 0; level < 40; level++) {
            ScriptObject up = new ScriptObject("__torch__.M");
            up.attributes().put("a", top);
            up.attributes().put("b", top);
            top = up;
        }
        int[] visits = new int[1];
        Map<String, TensorRef> tensors = WeightFiles.tensorsOf(top, visits);
        assertThat(visits[0]).isEqualTo(41);
        assertThat(tensors).containsOnlyKeys("a.".repeat(40) + "weight");
        assertThat(tensors.values()).containsExactly(t);
    }

    @Test
    void aCycleIsNotWalkedAgainAndSharedTensorsKeepEveryName() {
        ScriptObject root = new ScriptObject("__torch__.Root");
        ScriptObject child = new ScriptObject("__torch__.Child");
        TensorRef t = new TensorRef(new StorageRef("0", DType.FLOAT32, 4, null, 0), 0, new long[] {4}, new long[] {1});
        root.attributes().put("w", t);
        root.attributes().put("child", child);
        child.attributes().put("parent", root);
        child.attributes().put("tied", t);
        int[] visits = new int[1];
        Map<String, TensorRef> tensors = WeightFiles.tensorsOf(root, visits);
        assertThat(visits[0]).isEqualTo(2);
        assertThat(tensors).containsOnlyKeys("w", "child.tied");
    }

    @Test
    void theCraftedDepth40ArchiveLoadsInWellUnderTwoSeconds() throws Exception {
        Path file = CraftedFiles.sharedModuleGraph(tmp.resolve("deep.pt"), 40);
        assertThat(Files.size(file)).isBetween(1_000L, 2_000L);
        assertThat(WeightFiles.detect(file)).isEqualTo(WeightFiles.Format.TORCHSCRIPT);
        long t0 = System.nanoTime();
        StateDict sd = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> WeightFiles.load(file));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("depth-40 shared module graph (%d bytes): loaded in %d ms%n", Files.size(file), ms);
        assertThat(sd.names()).containsExactly("a.".repeat(40) + "weight");
        assertThat(sd.get("a.".repeat(40) + "weight").toFloatArray()).containsExactly(1f, 2f, 3f, 4f);
    }
}
