package dev.vqclip.engine.weights;

import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SafetensorsTest {
    @TempDir
    Path tmp;

    private static RawTensor raw(DType dtype, long[] shape, int... bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes.length);
        for (int x : bytes) {
            b.put((byte) x);
        }
        b.flip();
        return new RawTensor(dtype, shape, b);
    }

    @Test
    void writeThenReadRoundTripsEveryTypeAndTheMetadata() throws Exception {
        Map<String, RawTensor> in = new LinkedHashMap<>();
        in.put("f32", RawTensor.ofFloats(new float[]{1.5f, -2f, 3e-8f, Float.NaN, 0f, 7f}, 2, 3));
        // bf16: 1.0 = 0x3F80, -2.5 = 0xC020, 3.140625 = 0x4049 (little-endian pairs)
        in.put("bf16", raw(DType.BFLOAT16, new long[]{3}, 0x80, 0x3f, 0x20, 0xc0, 0x49, 0x40));
        // fp16: 1.0 = 0x3C00, -0.5 = 0xB800, 65504 = 0x7BFF, smallest subnormal = 0x0001
        in.put("f16", raw(DType.FLOAT16, new long[]{2, 2}, 0x00, 0x3c, 0x00, 0xb8, 0xff, 0x7b, 0x01, 0x00));
        in.put("i64", raw(DType.INT64, new long[]{}, 0x40, 0xc1, 0, 0, 0, 0, 0, 0));
        in.put("u8", raw(DType.UINT8, new long[]{3}, 0, 128, 255));
        in.put("empty", raw(DType.FLOAT32, new long[]{0, 5}));
        Map<String, String> meta = Map.of("format", "pt", "source", "vqgan_tiny.ckpt");
        Path file = tmp.resolve("m.safetensors");
        Safetensors.write(file, in, meta);

        assertThat(WeightFiles.detect(file)).isEqualTo(WeightFiles.Format.SAFETENSORS);
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLen % 8).as("header padded to 8 bytes").isZero();
        StateDict out = WeightFiles.load(file);
        assertThat(out.names()).containsExactlyInAnyOrderElementsOf(in.keySet());
        for (String name : in.keySet()) {
            RawTensor a = in.get(name);
            RawTensor b = out.get(name);
            assertThat(b.dtype()).as(name).isEqualTo(a.dtype());
            assertThat(b.shape()).as(name).containsExactly(a.shape());
            assertThat(b.bytes()).as(name + " bytes").isEqualTo(a.bytes());
        }
        assertThat(out.get("bf16").toFloatArray()).containsExactly(1.0f, -2.5f, 3.140625f);
        assertThat(out.get("f16").toFloatArray()).containsExactly(1.0f, -0.5f, 65504f, 0x1p-24f);
        assertThat(out.get("i64").toLongArray()).containsExactly(49472);
        assertThat(Safetensors.readMetadata(file)).isEqualTo(meta);
        String header = new String(Files.readAllBytes(file), 8, (int) headerLen, StandardCharsets.UTF_8);
        assertThat(header).contains("\"BF16\"").contains("\"F16\"").contains("\"__metadata__\"");
    }

    @Test
    void referenceCheckpointSurvivesConversionToSafetensors() throws Exception {
        StateDict jit = WeightFiles.load(Reference.file("clip_tiny_jit.pt"));
        Path file = tmp.resolve("clip.safetensors");
        Safetensors.write(file, jit.asMap(), Map.of());
        StateDict back = Safetensors.read(file);
        assertThat(back.names()).containsExactlyElementsOf(jit.names());
        for (String name : jit.names()) {
            assertThat(back.get(name).bytes()).as(name).isEqualTo(jit.get(name).bytes());
            assertThat(back.get(name).dtype()).isEqualTo(jit.get(name).dtype());
        }
        assertThat(Safetensors.readMetadata(file)).isEmpty();
    }
}
