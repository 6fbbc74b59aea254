package dev.vqclip.engine.vqgan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightFiles;
import dev.vqclip.engine.weights.WeightsException;
import dev.vqclip.testing.NDManagerPerTest;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VqganModelTest extends NDManagerPerTest {
    /** Before the engine loads (one JVM per test class): an installed CUDA runtime, so the GPU test really runs. */
    @org.junit.jupiter.api.BeforeAll
    static void selectRuntime() {
        dev.vqclip.runtime.NativeRuntime.select();
    }

    static VqganConfig tiny() {
        return VqganConfig.parse(VqganConfigTest.TINY, "tiny.yaml");
    }

    static VqganConfig tinyGumbel() {
        return VqganConfig.parse(VqganConfigTest.TINY.replace("vqgan.VQModel", "vqgan.GumbelVQ")
                .replace("ch_mult: [1, 2, 2]", "ch_mult: [1, 2]"), "gumbel.yaml");
    }

    NDArray gaussian(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(new Shape(shape).size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return m.create(v, new Shape(shape));
    }

    static StateDict randomStateDict(VqganConfig c, long seed) {
        Map<String, RawTensor> t = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(seed);
        Vqgan.tensorShapes(c).forEach((name, shape) -> {
            float[] v = new float[Math.toIntExact(RawTensor.numel(shape))];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((r.nextDouble() - 0.5) * 0.2);
            }
            t.put(name, RawTensor.ofFloats(v, shape));
        });
        return new StateDict("random.ckpt", t);
    }

    @Test
    void decodesAtLatentSizesOtherThanTheTrainingOneWithGradients() {
        try (Vqgan vq = Vqgan.fromStateDict(WeightFiles.load(Reference.file("vqgan_tiny.ckpt")), tiny(),
                Device.cpu())) {
            NDArray z = gaussian(1, 1, 8, 12, 10);
            z.setRequiresGradient(true);
            NDArray decoded;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                decoded = vq.decode(vq.quantize(z).zq());
                gc.backward(decoded.square().sum());
            }
            assertThat(decoded.getShape()).isEqualTo(new Shape(1, 3, 48, 40));
            assertThat(decoded.isInfinite().any().getBoolean()).isFalse();
            assertThat(decoded.isNaN().any().getBoolean()).isFalse();
            assertThat(z.getGradient().abs().sum().getFloat()).isPositive();
            // the batch dimension is independent: two different latents decode like each does alone
            NDArray pair = gaussian(2, 2, 8, 4, 6);
            NDArray both = vq.decode(vq.quantize(pair).zqExact());
            NDArray second = vq.decode(vq.quantize(pair.get("1:2")).zqExact());
            Reference.assertClose("batch row 1 vs alone", second.toFloatArray(), both.get("1:2").toFloatArray(),
                    1e-5);
        }
    }

    @Test
    void yamlThatDoesNotFitTheCheckpointNamesTheTensorAndBothShapes() {
        StateDict sd = WeightFiles.load(Reference.file("vqgan_tiny.ckpt"));
        VqganConfig bigger = VqganConfig.parse(VqganConfigTest.TINY.replace("n_embed: 32", "n_embed: 64"), "b.yaml");
        assertThatThrownBy(() -> Vqgan.fromStateDict(sd, bigger, Device.cpu()))
                .isInstanceOf(WeightsException.class).hasMessageContaining("vqgan_tiny.ckpt")
                .hasMessageContaining("quantize.embedding.weight").hasMessageContaining("[32, 8]")
                .hasMessageContaining("[64, 8]");
        VqganConfig wider = VqganConfig.parse(VqganConfigTest.TINY.replace("ch: 32", "ch: 64"), "w.yaml");
        assertThatThrownBy(() -> Vqgan.fromStateDict(sd, wider, Device.cpu()))
                .isInstanceOf(WeightsException.class).hasMessageContaining("encoder.conv_in.weight")
                .hasMessageContaining("[32, 3, 3, 3]").hasMessageContaining("[64, 3, 3, 3]");
    }

    @Test
    void missingAndUnexpectedTensorsAreNamed() {
        StateDict sd = WeightFiles.load(Reference.file("vqgan_tiny.ckpt"));
        StateDict without = sd.filter(n -> !n.equals("decoder.conv_out.bias"));
        assertThatThrownBy(() -> Vqgan.fromStateDict(without, tiny(), Device.cpu()))
                .isInstanceOf(WeightsException.class).hasMessageContaining("decoder.conv_out.bias");
        // two res blocks in the file, one in the yaml: the extra blocks are reported, not silently ignored
        VqganConfig two = VqganConfig.parse(VqganConfigTest.TINY.replace("num_res_blocks: 1", "num_res_blocks: 2"),
                "two.yaml");
        StateDict moreBlocks = randomStateDict(two, 5);
        assertThatThrownBy(() -> Vqgan.fromStateDict(moreBlocks, tiny(), Device.cpu()))
                .isInstanceOf(WeightsException.class).hasMessageContaining("block.1")
                .hasMessageContaining("tiny.yaml");
        // a Gumbel yaml for a plain VQ file: the Gumbel codebook is missing
        VqganConfig gumbel = VqganConfig.parse(VqganConfigTest.TINY.replace("vqgan.VQModel", "vqgan.GumbelVQ"),
                "g.yaml");
        assertThatThrownBy(() -> Vqgan.fromStateDict(sd, gumbel, Device.cpu()))
                .isInstanceOf(WeightsException.class).hasMessageContaining("quantize.embed.weight");
    }

    @Test
    void tensorsOutsideTheModelAreIgnoredLikeTamingsNonStrictLoading() {
        StateDict sd = WeightFiles.load(Reference.file("vqgan_tiny.ckpt"));
        assertThat(sd.names()).anyMatch(n -> n.startsWith("loss."));
        Map<String, RawTensor> more = new LinkedHashMap<>(sd.asMap());
        more.put("model_ema.decay", RawTensor.ofFloats(new float[] {0.999f}, 1));
        try (Vqgan vq = Vqgan.fromStateDict(new StateDict("extra.ckpt", more), tiny(), Device.cpu())) {
            assertThat(vq.codebook().getShape()).isEqualTo(new Shape(32, 8));
        }
    }

    @Test
    void gumbelModelEncodesByArgmaxOfItsLogitsAndOptimisesByNearestCodebookRow() {
        VqganConfig c = tinyGumbel();
        try (Vqgan vq = Vqgan.fromStateDict(randomStateDict(c, 3), c, Device.cpu())) {
            assertThat(vq.quantizer()).isInstanceOf(GumbelQuantizer.class);
            assertThat(vq.factor()).isEqualTo(2);
            NDArray x = gaussian(4, 1, 3, 8, 6);
            NDArray h = vq.encode(x);
            assertThat(h.getShape()).isEqualTo(new Shape(1, 8, 4, 3));
            Quantized q = vq.quantizeEncoded(h);
            NDArray logits = ((GumbelQuantizer) vq.quantizer()).logits(h);
            assertThat(logits.getShape()).isEqualTo(new Shape(1, 32, 4, 3));
            assertThat(q.indexArray()).containsExactly(logits.argMax(1).toLongArray());
            long[] idx = q.indexArray();
            float[] zq = q.zq().toFloatArray();
            float[] book = vq.codebook().toFloatArray();
            for (int pos = 0; pos < idx.length; pos++) {
                for (int ch = 0; ch < 8; ch++) {
                    assertThat(zq[ch * idx.length + pos]).isEqualTo(book[(int) idx[pos] * 8 + ch]);
                }
            }
            // optimisation path: nearest neighbour in quantize.embed.weight
            NDArray d = vq.quantizer().distances(h);
            assertThat(vq.quantize(h).indexArray()).containsExactly(d.argMin(1).toLongArray());
            assertThat(vq.decode(q.zq()).getShape()).isEqualTo(new Shape(1, 3, 8, 6));
        }
    }

    @Test
    void decodesOnTheGpuLikeOnTheCpu() {
        dev.vqclip.testing.GpuTests.assumeGpu();
        StateDict sd = WeightFiles.load(Reference.file("vqgan_tiny.ckpt"));
        try (Vqgan cpu = Vqgan.fromStateDict(sd, tiny(), Device.cpu());
                Vqgan gpu = Vqgan.fromStateDict(sd, tiny(), Device.gpu());
                NDManager g = NDManager.newBaseManager(Device.gpu())) {
            NDArray z = gaussian(3, 1, 8, 8, 8);
            NDArray zg = g.create(z.toFloatArray(), z.getShape());
            Quantized qc = cpu.quantize(z);
            Quantized qg = gpu.quantize(zg);
            assertThat(qg.indexArray()).containsExactly(qc.indexArray());
            NDArray out = gpu.decode(qg.zq());
            assertThat(out.getDevice()).isEqualTo(Device.gpu());
            Reference.assertClose("gpu vs cpu decode", cpu.decode(qc.zq()).toFloatArray(), out.toFloatArray(), 1e-4);
        }
    }

    @Test
    void randomWeightsAreSeeded() {
        try (Vqgan a = Vqgan.randomWeights(tiny(), Device.cpu(), 7);
                Vqgan b = Vqgan.randomWeights(tiny(), Device.cpu(), 7);
                Vqgan c = Vqgan.randomWeights(tiny(), Device.cpu(), 8)) {
            NDArray z = gaussian(1, 1, 8, 2, 2);
            float[] da = a.decode(z).toFloatArray();
            assertThat(b.decode(z).toFloatArray()).containsExactly(da);
            assertThat(c.decode(z).toFloatArray()).isNotEqualTo(da);
        }
    }

    @Test
    void badInputsAreRefusedWithTheExpectedShape() {
        try (Vqgan vq = Vqgan.randomWeights(tiny(), Device.cpu(), 1)) {
            assertThatThrownBy(() -> vq.encode(m.zeros(new Shape(1, 3, 30, 32))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 4");
            assertThatThrownBy(() -> vq.decode(m.zeros(new Shape(1, 7, 4, 4))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(N, 8, H, W)");
            assertThatThrownBy(() -> vq.quantize(m.zeros(new Shape(8, 4, 4))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void stepsInSubManagersLeaveNoArraysBehind() {
        try (Vqgan vq = Vqgan.randomWeights(tiny(), Device.cpu(), 1)) {
            NDArray z = gaussian(9, 1, 8, 4, 4);
            z.setRequiresGradient(true);
            int before = m.getManagedArrays().size();
            int weights = vq.weightArrayCount();
            for (int step = 0; step < 4; step++) {
                try (NDManager s = m.newSubManager()) {
                    z.tempAttach(s);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray out = vq.decode(vq.quantize(z).zq());
                        gc.backward(out.mean());
                    }
                    // only the step's own results remain in the step: the encoder/decoder free their intermediates
                    assertThat(s.getManagedArrays().size()).isLessThan(40);
                }
            }
            assertThat(m.getManagedArrays()).hasSize(before);
            assertThat(vq.weightArrayCount()).isEqualTo(weights);
        }
    }
}
