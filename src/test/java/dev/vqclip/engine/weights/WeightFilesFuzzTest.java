package dev.vqclip.engine.weights;

import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random byte flips in copies of the reference checkpoints: the reader returns a StateDict or throws a
 * WeightsException naming the file, and nothing else (no other exception, no error, no OOM, no hang).
 */
class WeightFilesFuzzTest {
    @TempDir
    Path tmp;

    @Test
    void randomByteFlipsGiveAStateDictOrAWeightsException() throws Exception {
        Path safetensors = tmp.resolve("clip_tiny.safetensors");
        Safetensors.write(safetensors, WeightFiles.load(Reference.file("clip_tiny_jit.pt")).asMap(),
                Map.of("source", "clip_tiny_jit.pt"));
        String[] models = {"vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt", "clip_tiny_jit.pt", "clip_tiny_state_dict.pt",
                "clip_tiny.safetensors"};
        Random random = new Random(Long.getLong("vqclip.fuzz.seed", 20261127L));
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        int iterations = Integer.getInteger("vqclip.fuzz.iterations", 200);
        for (int it = 0; it < iterations; it++) {
            String model = models[it % models.length];
            byte[] bytes = Files.readAllBytes(model.endsWith(".safetensors") ? safetensors : Reference.file(model));
            int flips = 1 + random.nextInt(6);
            for (int f = 0; f < flips; f++) {
                int region = random.nextInt(4);
                // Most flips hit the pickles (start of the file) and the zip directory (end); the rest anywhere.
                int pos = switch (region) {
                    case 0, 1 -> random.nextInt(Math.min(bytes.length, 24_000));
                    case 2 -> bytes.length - 1 - random.nextInt(Math.min(bytes.length, 16_000));
                    default -> random.nextInt(bytes.length);
                };
                bytes[pos] ^= (byte) (1 << random.nextInt(8));
            }
            Path file = tmp.resolve("fuzz" + it + "_" + model);
            Files.write(file, bytes);
            try {
                StateDict sd = WeightFiles.load(file);
                assertThat(sd.size()).isPositive();
                outcomes.merge("loaded", 1, Integer::sum);
            } catch (WeightsException e) {
                assertThat(e.getMessage()).startsWith(file.toString());
                String m = e.getMessage().substring(file.toString().length() + 2);
                String kind = m.replaceAll("[0-9]+", "N").replaceAll("'[^']*'", "'…'");
                outcomes.merge(kind.substring(0, Math.min(70, kind.length())), 1, Integer::sum);
            } catch (Throwable t) {
                fail("iteration " + it + " on " + model + " threw " + t, t);
            }
            Files.delete(file);
        }
        outcomes.forEach((k, v) -> System.out.printf("fuzz %4d × %s%n", v, k));
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(iterations);
    }
}
