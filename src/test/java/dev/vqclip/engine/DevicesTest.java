package dev.vqclip.engine;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --device}: each choice, and each refusal with its reason. */
class DevicesTest {
    private static final String WHY = "GPU seen by the driver (RTX) but the CPU build of libtorch is loaded: run"
            + " `vqclip runtime install cuda` and start again";

    @Test
    void choices() {
        assertThat(Devices.parse("auto", 0, "linux-x86_64", Optional::empty)).isEqualTo(Device.cpu());
        assertThat(Devices.parse("auto", 2, "linux-x86_64", Optional::empty)).isEqualTo(Device.gpu(0));
        assertThat(Devices.parse(" CPU ", 2, "linux-x86_64", Optional::empty)).isEqualTo(Device.cpu());
        assertThat(Devices.parse("gpu:1", 2, "linux-x86_64", Optional::empty)).isEqualTo(Device.gpu(1));
        assertThat(Devices.parse("cuda", 1, "win-x86_64", Optional::empty)).isEqualTo(Device.gpu(0));
        Device mps = Devices.parse("mps", 0, "osx-aarch64", Optional::empty);
        assertThat(mps.getDeviceType()).isEqualTo("mps");
        assertThat(Devices.describe(mps)).isEqualTo("MPS");
        assertThat(Devices.describe(Device.gpu(1))).isEqualTo("GPU 1");
    }

    @Test
    void aGpuRequestWithoutOneQuotesTheDiagnosis() {
        assertThatThrownBy(() -> Devices.parse("gpu", 0, "linux-x86_64", () -> Optional.of(WHY)))
                .hasMessage("--device gpu: no CUDA GPU 0 found (0 available): " + WHY + "; use --device cpu or auto");
        // a GPU number past the last one needs no diagnosis: the others work
        assertThatThrownBy(() -> Devices.parse("gpu:3", 2, "linux-x86_64", () -> {
            throw new AssertionError("not asked");
        })).hasMessage("--device gpu:3: no CUDA GPU 3 found (2 available); use --device cpu or auto");
    }

    @Test
    void mpsElsewhereIsRefusedWithTheReason() {
        assertThatThrownBy(() -> Devices.parse("mps", 1, "linux-x86_64", Optional::empty))
                .hasMessageContaining("--device mps: Apple's Metal GPU exists only on macOS with Apple silicon")
                .hasMessageContaining("this is linux-x86_64; use --device gpu for an NVIDIA GPU");
        assertThatThrownBy(() -> Devices.parse("mps", 0, "osx-x86_64", Optional::empty))
                .hasMessageContaining("an Intel Mac");
    }

    @Test
    void badSpecs() {
        assertThatThrownBy(() -> Devices.parse("tpu", 0, "linux-x86_64", Optional::empty))
                .hasMessage("--device tpu: expected auto, cpu, gpu, gpu:N or mps");
        assertThatThrownBy(() -> Devices.parse("gpu:x", 1, "linux-x86_64", Optional::empty))
                .hasMessage("--device gpu:x: bad GPU number 'x'");
    }

    @Test
    void onThisMachineTheRefusalSaysWhy() {
        // whatever this machine is, a refused --device gpu must carry a reason after the count
        int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
        org.junit.jupiter.api.Assumptions.assumeTrue(gpus == 0, "this machine has a GPU");
        assertThatThrownBy(() -> Devices.parse("gpu"))
                .hasMessageMatching("--device gpu: no CUDA GPU 0 found \\(0 available\\): .+; use --device cpu or auto");
    }
}
