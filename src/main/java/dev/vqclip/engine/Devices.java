package dev.vqclip.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/** Chooses the compute device from a user's {@code --device auto|cpu|gpu[:N]|mps} setting. */
public final class Devices {
    /** DJL's device type for Apple's Metal Performance Shaders (PyTorch's {@code mps}). */
    public static final String MPS = "mps";

    private Devices() {
    }

    /**
     * @param spec {@code auto} (a CUDA GPU when the engine finds one, else the CPU), {@code cpu}, {@code gpu},
     *     {@code gpu:N} or {@code mps} (Apple silicon)
     * @return the device
     * @throws IllegalArgumentException for an unknown spec, or a device this machine cannot use, with the reason
     */
    public static Device parse(String spec) {
        return parse(spec, gpuCount(), GpuProbe.platform(), () -> GpuDiagnosis.whyNoGpu(GpuProbe.collect()));
    }

    /**
     * The decision, with the machine's facts passed in.
     *
     * @param gpus     how many CUDA GPUs DJL counts
     * @param platform DJL's platform name, e.g. {@code osx-aarch64}
     * @param whyNoGpu the diagnosis, asked only when a GPU was requested and none is usable
     */
    public static Device parse(String spec, int gpus, String platform, Supplier<Optional<String>> whyNoGpu) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals(MPS)) {
            if (!platform.equals("osx-aarch64")) {
                throw new IllegalArgumentException("--device mps: Apple's Metal GPU exists only on macOS with Apple "
                        + "silicon (osx-aarch64); this is " + platform + (platform.startsWith("osx")
                        ? " (an Intel Mac: there is no PyTorch 2.7.1 build of DJL for it)" : "; use --device gpu for an"
                        + " NVIDIA GPU, or cpu"));
            }
            return Device.of(MPS, -1);
        }
        if (s.equals("gpu") || s.equals("cuda") || s.startsWith("gpu:") || s.startsWith("cuda:")) {
            int id = s.contains(":") ? parseId(s.substring(s.indexOf(':') + 1), spec) : 0;
            if (id >= gpus) {
                String why = gpus > 0 ? "" : whyNoGpu.get().map(w -> ": " + w).orElse("");
                throw new IllegalArgumentException("--device " + spec + ": no CUDA GPU " + id + " found ("
                        + gpus + " available)" + why + "; use --device cpu or auto");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException("--device " + spec + ": expected auto, cpu, gpu, gpu:N or mps");
    }

    /** @return a short human-readable name, e.g. {@code CPU}, {@code GPU 0} or {@code MPS} */
    public static String describe(Device d) {
        if (MPS.equals(d.getDeviceType())) {
            return "MPS";
        }
        return d.isGpu() ? "GPU " + d.getDeviceId() : "CPU";
    }

    private static int gpuCount() {
        try {
            return Engine.getInstance().getGpuCount();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static int parseId(String s, String spec) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--device " + spec + ": bad GPU number '" + s + "'");
        }
    }
}
