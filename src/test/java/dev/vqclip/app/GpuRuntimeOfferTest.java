package dev.vqclip.app;

import dev.vqclip.runtime.NativeRuntime;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** When the studio offers the CUDA runtime. */
class GpuRuntimeOfferTest {
    private static Optional<NativeRuntime.Choice> bundled(String reason) {
        return Optional.of(new NativeRuntime.Choice(NativeRuntime.BUNDLED, Optional.empty(), reason, Map.of()));
    }

    @Test
    void offeredOnlyForAnNvidiaGpuOnTheCpuBuildThatNobodyAskedFor() {
        Optional<NativeRuntime.Choice> none = bundled("no cuda runtime is installed: the bundled CPU build");
        assertThat(GpuRuntimeOffer.worthOffering(true, none, "linux-x86_64")).isTrue();
        assertThat(GpuRuntimeOffer.worthOffering(true, none, "win-x86_64")).isTrue();
        assertThat(GpuRuntimeOffer.worthOffering(false, none, "linux-x86_64")).as("no GPU").isFalse();
        assertThat(GpuRuntimeOffer.worthOffering(true, none, "linux-aarch64")).as("no CUDA build").isFalse();
        assertThat(GpuRuntimeOffer.worthOffering(true, bundled("the CPU build was asked for (vqclip.runtime=cpu"
                + " or VQCLIP_RUNTIME=cpu)"), "linux-x86_64")).as("the user chose the CPU").isFalse();
        assertThat(GpuRuntimeOffer.worthOffering(true, Optional.of(new NativeRuntime.Choice("cu128",
                Optional.of(Path.of("/c")), "installed", Map.of())), "linux-x86_64")).as("already on CUDA").isFalse();
        assertThat(GpuRuntimeOffer.worthOffering(true, Optional.empty(), "linux-x86_64")).as("selection never ran")
                .isFalse();
    }
}
