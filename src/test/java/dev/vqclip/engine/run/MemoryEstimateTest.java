package dev.vqclip.engine.run;

import dev.vqclip.engine.DeviceMemory;
import dev.vqclip.engine.clip.ClipConfig;
import dev.vqclip.engine.vqgan.VqganConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The estimator's logic on the real configs (no weights loaded): monotone, and its suggestions really fit. */
class MemoryEstimateTest {
    private static final MemoryEstimate.Models REAL = new MemoryEstimate.Models(
            VqganConfig.builtin("vqgan_imagenet_f16_16384"), ClipConfig.builtin("ViT-B/32"), 1L << 30, 4, false);

    private static long total(int side, int cutouts) {
        return MemoryEstimate.of(REAL, side, side, cutouts).totalBytes();
    }

    @Test
    void growsWithSizeAndCutouts() {
        for (int side = 16; side <= 1024; side += 16) {
            assertThat(total(side + 16, 8)).isGreaterThan(total(side, 8));
            assertThat(total(side, 9)).isGreaterThan(total(side, 8));
        }
        // the decoder's maps grow with the pixels, CLIP's activations with the cutouts only
        MemoryEstimate a = MemoryEstimate.of(REAL, 256, 256, 8);
        MemoryEstimate b = MemoryEstimate.of(REAL, 512, 512, 8);
        assertThat(b.cutoutBytes()).isEqualTo(a.cutoutBytes());
        assertThat((double) b.decoderBytes() / a.decoderBytes()).isBetween(3.9, 4.1);
        assertThat(MemoryEstimate.of(REAL, 256, 256, 32).cutoutBytes()).isEqualTo(4 * a.cutoutBytes());
    }

    @Test
    void anEnsembleCountsEveryClipsGraphAndOneAugmentedBatchPerResolution() {
        ClipConfig b32 = ClipConfig.builtin("ViT-B/32");
        ClipConfig b16 = ClipConfig.builtin("ViT-B/16");
        MemoryEstimate one = MemoryEstimate.of(REAL, 256, 256, 8);
        MemoryEstimate twice = MemoryEstimate.of(new MemoryEstimate.Models(REAL.vqgan(), b32, 1L << 30, 4, false,
                java.util.List.of(b32)), 256, 256, 8);
        MemoryEstimate withB16 = MemoryEstimate.of(new MemoryEstimate.Models(REAL.vqgan(), b32, 1L << 30, 4, false,
                java.util.List.of(b16)), 256, 256, 8);
        long clip32 = MemoryEstimate.clipValues(b32) * 4 * 8;
        // the same resolution shares the augmented batch: only CLIP's graph is added
        assertThat(twice.cutoutBytes() - one.cutoutBytes()).isEqualTo(clip32);
        // ViT-B/16 has 4x the tokens of ViT-B/32 at 224 px: a larger graph, same batch
        assertThat(withB16.cutoutBytes() - one.cutoutBytes())
                .isEqualTo(MemoryEstimate.clipValues(b16) * 4 * 8).isGreaterThan(3 * clip32);
        assertThat(twice.decoderBytes()).isEqualTo(one.decoderBytes());
    }

    @Test
    void sizesAreRoundedDownToTheFactorAsARunDoes() {
        assertThat(MemoryEstimate.of(REAL, 270, 250, 8).totalBytes()).isEqualTo(MemoryEstimate.of(REAL, 256, 240, 8)
                .totalBytes());
    }

    @Test
    void decoderCountFollowsTheArchitecture() {
        // one level of 32 channels, one res block + the extra, no attention, 1x1 latent: counted by hand
        VqganConfig one = new VqganConfig("hand", VqganConfig.Variant.VQ, 4, 8, false, 4, 32, 3, 3, 32,
                java.util.List.of(1), 1, java.util.List.of(), 0);
        long perBlock = 4 * 32 + 4 * 32;
        long expected = 4 + 4 // post_quant_conv and conv_in inputs
                + perBlock + (6 * 32 + 1) + perBlock // middle: block, attention (6C·S + S²), block
                + 2 * perBlock // level 0: num_res_blocks + 1 blocks
                + 4 * 32; // head
        assertThat(MemoryEstimate.decoderValues(one, 1)).isEqualTo(expected);
    }

    @Test
    void fittingRunsGetNoSuggestion() {
        MemoryCheck c = MemoryCheck.of(REAL, 256, 256, 8, new DeviceMemory(total(256, 8), "test"));
        assertThat(c.fits()).isTrue();
        assertThat(MemoryCheck.of(REAL, 256, 256, 8, new DeviceMemory(-1, "unknown")).fits()).isTrue();
    }

    @Test
    void suggestedSizeAndCutoutsFitAndAreTheLargestThatDo() {
        // the most used script's complaint: 512x512 with 32 cutouts on an 8 GiB machine
        long budget = 8L << 30;
        MemoryCheck c = MemoryCheck.of(REAL, 512, 512, 32, new DeviceMemory(budget, "8 GiB"));
        assertThat(c.fits()).isFalse();
        assertThat(c.largestWidth()).isEqualTo(c.largestHeight()).isPositive();
        assertThat(c.largestWidth() % 16).isZero();
        assertThat(total(c.largestWidth(), 32)).isLessThanOrEqualTo(budget);
        assertThat(total(c.largestWidth() + 16, 32)).isGreaterThan(budget);
        assertThat(c.largestCutouts()).isBetween(1, 31);
        assertThat(total(512, c.largestCutouts())).isLessThanOrEqualTo(budget);
        assertThat(total(512, c.largestCutouts() + 1)).isGreaterThan(budget);
        assertThat(c.message()).contains("512x512 with 32 cutouts needs about")
                .contains(String.format(java.util.Locale.ROOT, "lower the size to %dx%d (at 32 cutouts)",
                        c.largestWidth(), c.largestHeight()))
                .contains("the cutouts to " + c.largestCutouts() + " (at 512x512)").contains("but there are 8.00 GiB (8 GiB)");
    }

    @Test
    void aWideImageKeepsItsAspectRatio() {
        long budget = total(256, 8) + (64L << 20);
        MemoryCheck c = MemoryCheck.of(REAL, 640, 320, 8, new DeviceMemory(budget, "test"));
        // the short side follows the long one, rounded down to whole latent cells
        assertThat(c.largestHeight()).isEqualTo(c.largestWidth() / 2 / 16 * 16);
        assertThat(c.largestWidth()).isLessThan(640);
        assertThat(MemoryEstimate.of(REAL, c.largestWidth(), c.largestHeight(), 8).totalBytes())
                .isLessThanOrEqualTo(budget);
    }

    @Test
    void nothingFitsSaysSo() {
        MemoryCheck c = MemoryCheck.of(REAL, 256, 256, 8, new DeviceMemory(1L << 20, "1 MiB"));
        assertThat(c.fits()).isFalse();
        assertThat(c.advice()).startsWith("even the smallest size and 1 cutout do not fit");
    }

    @Test
    void memorySizesParse() {
        assertThat(DeviceMemory.parseSize("6g")).isEqualTo(6L << 30);
        assertThat(DeviceMemory.parseSize("512M")).isEqualTo(512L << 20);
        assertThat(DeviceMemory.parseSize("1.5GiB")).isEqualTo(3L << 29);
        assertThat(DeviceMemory.parseSize("4096")).isEqualTo(4096);
        assertThatThrownBy(() -> DeviceMemory.parseSize("lots")).hasMessageContaining("'lots'");
        assertThatThrownBy(() -> DeviceMemory.parseSize("-1g")).hasMessageContaining("positive");
    }

    @Test
    void theCpuFigureIsWhatIsAvailablePlusWhatTheProcessHolds() {
        DeviceMemory d = DeviceMemory.of(ai.djl.Device.cpu(), -1, 0);
        if (d.known()) {
            assertThat(d.bytes()).isGreaterThan(DeviceMemory.processResident().orElseThrow());
            assertThat(d.source()).contains("available").contains("this process holds");
        }
        assertThat(DeviceMemory.of(ai.djl.Device.cpu(), 3L << 30, 0).bytes()).isEqualTo(3L << 30);
    }
}
