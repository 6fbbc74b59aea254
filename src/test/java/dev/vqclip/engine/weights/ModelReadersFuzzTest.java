package dev.vqclip.engine.weights;

import dev.vqclip.engine.vqgan.VqganConfig;
import dev.vqclip.engine.vqgan.VqganConfigException;
import dev.vqclip.testing.CraftedFiles;
import dev.vqclip.testing.MutationFuzzer;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static net.razorvine.pickle.Opcodes.EMPTY_DICT;
import static net.razorvine.pickle.Opcodes.MARK;
import static net.razorvine.pickle.Opcodes.SETITEMS;
import static net.razorvine.pickle.Opcodes.STOP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fuzz suite of the model-file readers (issue 21): a seeded mutation loop per reader, from small valid seeds the
 * test makes (and the crafted depth-40 graph) plus a few cases on the reference models. Each case loads or throws a
 * {@link WeightsException} (a {@link VqganConfigException} for YAML) whose message starts with the file; nothing
 * else, no Error, no case past its time bound. {@code -Dvqclip.fuzz.scale=10} runs ten times the cases,
 * {@code -Dvqclip.fuzz.seed=S} another sequence.
 */
class ModelReadersFuzzTest {
    @TempDir
    Path tmp;

    private int fuzz(String name, List<Path> seeds, MutationFuzzer.Reader reader, int cases) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        return new MutationFuzzer(name, seeds, reader, MutationFuzzer.namedBy(WeightsException.class), work, 2112L)
                .run(cases);
    }

    @Test
    void torchZipCheckpoints() throws Exception {
        PickleBytes p = PickleBytes.proto(2).op(EMPTY_DICT, MARK).str("epoch").integer(3).str("global_step")
                .integer(1200).str("state_dict").op(EMPTY_DICT, MARK);
        p.str("enc.weight").tensor("FloatStorage", "0", 12, 0, new long[] {3, 4}, new long[] {4, 1});
        p.str("enc.bias").tensor("FloatStorage", "1", 3, 0, new long[] {3}, new long[] {1});
        p.str("enc.view").tensor("FloatStorage", "0", 12, 4, new long[] {2, 2}, new long[] {1, 2});
        p.str("dec.half").tensor("HalfStorage", "2", 4, 0, new long[] {4}, new long[] {1});
        byte[] pickle = p.op(SETITEMS, SETITEMS, STOP).bytes();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", PickleBytes.floats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
        storages.put("1", PickleBytes.floats(-1, 0, 1));
        storages.put("2", new byte[] {0, 0x3c, 0, 0x40, 0, 0x42, 0, 0x44});
        Path seed = PickleBytes.torchZip(tmp.resolve("small.ckpt"), "archive", pickle, storages);
        assertThat(WeightFiles.load(seed).size()).isEqualTo(4);
        assertThat(fuzz("torch zip", List.of(seed), WeightFiles::load, 1000)).isPositive();
    }

    @Test
    void legacyCheckpoints() throws Exception {
        PickleBytes main = PickleBytes.legacyDict();
        main.str("w").tensor("FloatStorage", "140", 4, 1, new long[] {3}, new long[] {1});
        main.str("v").tensor("FloatStorage", "141", 2, 0, new long[] {2}, new long[] {1});
        Path seed = Files.write(tmp.resolve("small_legacy.ckpt"), PickleBytes.legacyFile(main,
                new String[] {"140", "141"}, new long[] {4, 2}, PickleBytes.floats(1, 2, 3, 4), PickleBytes.floats(5, 6)));
        assertThat(WeightFiles.load(seed).size()).isEqualTo(2);
        assertThat(fuzz("torch legacy", List.of(seed), WeightFiles::load, 1000)).isPositive();
    }

    @Test
    void torchScriptArchivesIncludingTheSharedGraph() throws Exception {
        Path small = CraftedFiles.sharedModuleGraph(tmp.resolve("graph3.pt"), 3);
        Path deep = CraftedFiles.sharedModuleGraph(tmp.resolve("graph40.pt"), 40);
        assertThat(WeightFiles.load(deep).size()).isEqualTo(1);
        assertThat(fuzz("torchscript", List.of(small, deep), WeightFiles::load, 1000)).isPositive();
    }

    @Test
    void safetensorsFiles() throws Exception {
        Map<String, RawTensor> t = new LinkedHashMap<>();
        t.put("a", RawTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("b", RawTensor.ofFloats(new float[] {7}, 1));
        t.put("c.d", RawTensor.ofFloats(new float[] {8, 9}, 2));
        Path seed = tmp.resolve("small.safetensors");
        Safetensors.write(seed, t, Map.of("source", "fuzz"));
        assertThat(WeightFiles.load(seed).size()).isEqualTo(3);
        assertThat(fuzz("safetensors", List.of(seed), WeightFiles::load, 1000)).isPositive();
    }

    @Test
    void npyArrays() throws Exception {
        Path a = tmp.resolve("a.npy");
        Npy.writeFloats(a, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 2, 2);
        Path b = tmp.resolve("b.npy");
        Npy.writeFloats(b, new float[] {0.5f}, 1);
        assertThat(fuzz("npy", List.of(a, b), Npy::read, 1000)).isPositive();
    }

    @Test
    void vqganYamlConfigs() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        int n = new MutationFuzzer("vqgan yaml", List.of(Reference.file("vqgan_tiny.yaml")), VqganConfig::load,
                MutationFuzzer.namedBy(VqganConfigException.class), work, 2112L).run(1000);
        assertThat(n).isPositive();
    }

    /** A few cases on each real reference model (they are megabytes, so each case costs more). */
    @Test
    void referenceModels() throws Exception {
        List<Path> seeds = List.of(Reference.file("vqgan_tiny.ckpt"), Reference.file("vqgan_tiny_legacy.ckpt"),
                Reference.file("clip_tiny_jit.pt"), Reference.file("clip_tiny_state_dict.pt"));
        assertThat(fuzz("reference models", seeds, f -> WeightFiles.load(f, name -> name.endsWith(".bias")), 40))
                .isPositive();
    }
}
