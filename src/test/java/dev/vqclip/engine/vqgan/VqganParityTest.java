package dev.vqclip.engine.vqgan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.testing.NDManagerPerTest;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java VQGAN against taming-transformers' own outputs for the tiny reference model, read from both the zip and
 * the legacy checkpoint. Tolerance 1e-4 absolute on floats (the reference README's suggestion); indices exact.
 */
class VqganParityTest extends NDManagerPerTest {
    static final double TOL = 1e-4;
    private static final Map<String, Vqgan> MODELS = new HashMap<>();

    static Vqgan model(String ckpt) {
        return MODELS.computeIfAbsent(ckpt, c -> Vqgan.load(Reference.file(c), Reference.file("vqgan_tiny.yaml"),
                Device.cpu()));
    }

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(Vqgan::close);
        MODELS.clear();
    }

    NDArray ref(String name) {
        RawTensor t = Reference.npy(name);
        return m.create(t.toFloatArray(), new Shape(t.shape()));
    }

    static void close(String what, String refName, NDArray actual) {
        RawTensor t = Reference.npy(refName);
        assertThat(actual.getShape()).as(what + " shape").isEqualTo(new Shape(t.shape()));
        Reference.assertClose(what, t.toFloatArray(), actual.toFloatArray(), TOL);
    }

    /** Each named intermediate ({@code tap, reference file} pairs) must match taming's within {@link #TOL}. */
    static void assertTaps(String ckpt, Map<String, float[]> taps, String... tapAndFile) {
        for (int i = 0; i < tapAndFile.length; i += 2) {
            Reference.assertClose(ckpt + " " + tapAndFile[i], Reference.floats(tapAndFile[i + 1]),
                    taps.get(tapAndFile[i]), TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt"})
    void encoderMatchesTamingIncludingIntermediates(String ckpt) {
        Map<String, float[]> taps = new HashMap<>();
        NDArray h = model(ckpt).encode(ref("vqgan/x_in.npy"), (name, v) -> taps.put(name, v.toFloatArray()));
        assertTaps(ckpt, taps, "encoder.conv_in", "vqgan/x_in_enc_conv_in.npy",
                "encoder.down.1.attn.0", "vqgan/x_in_enc_first_down_attn.npy",
                "encoder.mid.block_2", "vqgan/x_in_enc_mid_out.npy",
                "encoder.conv_out", "vqgan/x_in_enc_conv_out.npy");
        close(ckpt + " x_in_h", "vqgan/x_in_h.npy", h);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt"})
    void quantizerMatchesTamingDistancesIndicesAndValues(String ckpt) {
        Vqgan vq = model(ckpt);
        NDArray z = ref("vqgan/z_in.npy");
        close(ckpt + " z_in_distances", "vqgan/z_in_distances.npy", vq.quantizer().distances(z));
        Quantized q = vq.quantize(z);
        assertThat(q.indices().getShape()).isEqualTo(new Shape(1, 8, 8));
        assertThat(q.indexArray()).containsExactly(Reference.longs("vqgan/z_in_indices.npy"));
        close(ckpt + " z_in_zq", "vqgan/z_in_zq.npy", q.zq());
        close(ckpt + " z_in_zq_exact", "vqgan/z_in_zq_exact.npy", q.zqExact());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt"})
    void decoderMatchesTamingIncludingIntermediates(String ckpt) {
        Vqgan vq = model(ckpt);
        Map<String, float[]> taps = new HashMap<>();
        NDArray decoded = vq.decode(ref("vqgan/z_in_zq.npy"), (name, v) -> taps.put(name, v.toFloatArray()));
        close(ckpt + " z_in_decoded", "vqgan/z_in_decoded.npy", decoded);
        assertTaps(ckpt, taps, "decoder.conv_in", "vqgan/z_in_dec_conv_in.npy",
                "decoder.mid.block_2", "vqgan/z_in_dec_mid_out.npy",
                "decoder.up.1.attn.0", "vqgan/z_in_dec_first_up_attn.npy",
                "decoder.norm_out", "vqgan/z_in_dec_norm_out.npy");
        close(ckpt + " z_in_decoded_exact", "vqgan/z_in_decoded_exact.npy",
                vq.decode(ref("vqgan/z_in_zq_exact.npy")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt"})
    void reconstructionMatchesTaming(String ckpt) {
        Vqgan vq = model(ckpt);
        NDArray h = vq.encode(ref("vqgan/x_in.npy"));
        Quantized q = vq.quantizeEncoded(h);
        assertThat(q.indexArray()).containsExactly(Reference.longs("vqgan/x_in_indices.npy"));
        close(ckpt + " x_in_hq", "vqgan/x_in_hq.npy", q.zq());
        close(ckpt + " x_in_reconstruction", "vqgan/x_in_reconstruction.npy", vq.decode(q.zq()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"step0", "step1"})
    void gradientFlowsThroughTheStraightThroughQuantizerAsInTheReferenceChain(String step) {
        Vqgan vq = model("vqgan_tiny.ckpt");
        NDArray z = ref("chain/" + step + "_z.npy");
        z.setRequiresGradient(true);
        NDArray gradDecoded = ref("chain/" + step + "_grad_decoded.npy");
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Quantized q = vq.quantize(z);
            assertThat(q.indexArray()).containsExactly(Reference.longs("chain/" + step + "_indices.npy"));
            close(step + " zq", "chain/" + step + "_zq.npy", q.zqExact());
            NDArray decoded = vq.decode(q.zq());
            close(step + " decoded", "chain/" + step + "_decoded.npy", decoded);
            // surrogate loss: its gradient w.r.t. the decoder output is the reference gradient, plus the chain's
            // latent penalty 0.1·mean(z²), which reaches z directly
            gc.backward(decoded.mul(gradDecoded).sum().add(z.square().mean().mul(0.1)));
        }
        close(step + " grad_z", "chain/" + step + "_grad_z.npy", z.getGradient());
    }
}
