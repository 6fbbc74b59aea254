package dev.vqclip.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns {@link GpuFacts} into what a person needs to read: whether a GPU can be used, and if not, why and what to do.
 * Pure: the same facts give the same sentences, so each is tested with made-up facts.
 */
public final class GpuDiagnosis {
    /**
     * PyTorch 2.7's CUDA 12.8 builds carry kernels for compute capability 7.5 and newer (its release notes: the 12.8
     * builds dropped Maxwell, Pascal and Volta).
     */
    static final double MIN_COMPUTE_CAPABILITY = 7.5;

    private GpuDiagnosis() {
    }

    /** @return why no CUDA GPU is usable, or empty when DJL counts one */
    public static Optional<String> whyNoGpu(GpuFacts f) {
        if (f.djlGpuCount() > 0) {
            return Optional.empty();
        }
        if (f.engineError() != null) {
            return Optional.of("libtorch did not load (" + f.engineError() + ")");
        }
        if (f.platform().startsWith("osx")) {
            return Optional.of("macOS has no CUDA" + (f.platform().equals("osx-aarch64")
                    ? "; on Apple silicon use --device mps" : ""));
        }
        String seen = seenBy(f);
        if (!f.cudaBuild()) {
            if (f.driverSeesGpu()) {
                return Optional.of("GPU seen by the driver (" + seen + ") but the CPU build of libtorch is loaded: run"
                        + " `vqclip runtime install cuda` and start again" + choiceNote(f));
            }
            return Optional.of("no NVIDIA GPU seen (no driver in /proc/driver/nvidia, no /dev/nvidia*, no nvidia-smi)"
                    + " and the CPU build of libtorch is loaded");
        }
        if (!f.cudartLoaded()) {
            return Optional.of("CUDA build loaded from " + f.libtorchFolder() + " but no libcudart was found, so DJL"
                    + " counts no GPU: reinstall with `vqclip runtime install cuda` (it links libcudart.so into the"
                    + " runtime folder) or put a CUDA 12 libcudart on LD_LIBRARY_PATH");
        }
        if (!f.driverSeesGpu()) {
            return Optional.of("CUDA build loaded but no NVIDIA driver found (no /proc/driver/nvidia/version, no"
                    + " /dev/nvidia*): install the NVIDIA driver");
        }
        return Optional.of("CUDA build and libcudart loaded and the driver sees " + seen + ", but CUDA reports no"
                + " usable GPU: the driver may be too old for CUDA 12 (525 or newer, 570 for all of 12.8), or the device nodes are"
                + " not accessible (containers need --gpus)");
    }

    /** @return every finding, one sentence each, for {@code vqclip doctor} */
    public static List<String> report(GpuFacts f) {
        List<String> out = new ArrayList<>();
        if (f.libtorchFolder() != null) {
            out.add("libtorch: " + (f.cudaBuild() ? "CUDA" : "CPU") + " build from " + f.libtorchFolder());
        }
        if (f.runtimeReason() != null) {
            out.add("runtime chosen: " + f.runtimeReason());
        }
        out.add("NVIDIA driver: " + (f.driverVersion() != null ? f.driverVersion()
                : f.driverSeesGpu() ? "not in /proc, but " + seenBy(f) : "none seen"));
        if (f.smiProblem() != null) {
            out.add("nvidia-smi: " + f.smiProblem());
        }
        if (f.cudaBuild()) {
            out.add("libcudart: " + (f.cudartLoaded() ? "loaded" + (f.cudaVersion() == null ? ""
                    : " (CUDA runtime " + f.cudaVersion() + ")") : "not found"));
        }
        out.add("GPUs DJL counts: " + f.djlGpuCount());
        for (GpuFacts.CudaDevice d : f.devices()) {
            out.add("GPU " + d.index() + ": compute capability " + d.computeCapability() + capabilityNote(
                    d.computeCapability()) + (d.totalBytes() > 0 ? ", " + gib(d.freeBytes()) + " free of "
                    + gib(d.totalBytes()) : ""));
        }
        if (f.devices().isEmpty()) {
            for (int i = 0; i < f.smi().size(); i++) {
                GpuFacts.SmiGpu g = f.smi().get(i);
                out.add("GPU " + i + " (nvidia-smi): " + g.name() + (g.computeCapability().isEmpty() ? ""
                        : ", compute capability " + g.computeCapability() + capabilityNote(g.computeCapability()))
                        + ", " + gib(g.freeMiB() << 20) + " free of " + gib(g.totalMiB() << 20));
            }
        }
        whyNoGpu(f).ifPresent(w -> out.add("no GPU: " + w));
        if (f.platform().equals("osx-aarch64")) {
            out.add("Apple silicon: --device mps runs on the GPU through Metal");
        }
        return out;
    }

    private static String seenBy(GpuFacts f) {
        if (!f.smi().isEmpty()) {
            return f.smi().stream().map(GpuFacts.SmiGpu::name).reduce((a, b) -> a + ", " + b).orElse("");
        }
        if (!f.deviceNodes().isEmpty()) {
            return String.join(", ", f.deviceNodes());
        }
        return f.driverVersion() != null ? "NVIDIA driver present" : "nothing";
    }

    private static String choiceNote(GpuFacts f) {
        if (f.runtimeReason() != null && (f.runtimeReason().contains("damaged")
                || f.runtimeReason().contains("not completely") || f.runtimeReason().contains("asked for"))) {
            return " (" + f.runtimeReason() + ")";
        }
        return "";
    }

    private static String capabilityNote(String cc) {
        try {
            double v = Double.parseDouble(cc);
            if (v < MIN_COMPUTE_CAPABILITY) {
                return String.format(Locale.ROOT, " (older than the %.1f this CUDA 12.8 build has kernels for:"
                        + " expect 'no kernel image is available'; use --device cpu)", MIN_COMPUTE_CAPABILITY);
            }
        } catch (NumberFormatException e) {
            // unknown: say nothing
        }
        return "";
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
