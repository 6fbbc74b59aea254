package dev.vqclip.engine;

import java.util.List;

/**
 * What was observed about GPUs and the loaded libtorch (by {@link GpuProbe}, or made up in tests); turned into
 * sentences by {@link GpuDiagnosis}.
 *
 * @param platform       DJL's platform name, e.g. {@code linux-x86_64}, {@code osx-aarch64}
 * @param driverVersion  the NVIDIA kernel driver's line from {@code /proc/driver/nvidia/version}, or {@code null}
 * @param deviceNodes    the {@code /dev/nvidia*} nodes found
 * @param smi            what {@code nvidia-smi} listed (empty when it is not there or failed)
 * @param smiProblem     why {@code nvidia-smi} gave nothing, or {@code null} (not on PATH is not a problem)
 * @param libtorchFolder the folder DJL loaded libtorch from, or {@code null} when it did not load
 * @param cudaBuild      whether that libtorch is a CUDA build (it has libtorch_cuda / libc10_cuda)
 * @param engineError    why the engine failed to load, or {@code null}
 * @param runtimeChoice  what the start-up selection chose ({@code bundled}, {@code cu128}, {@code user}), or
 *                       {@code null} when it did not run
 * @param runtimeReason  the selection's reason, or {@code null}
 * @param cudartLoaded   whether DJL found libcudart (without it DJL counts no GPU)
 * @param cudaVersion    the CUDA runtime's version as DJL reports it (e.g. {@code 12080}), or {@code null}
 * @param djlGpuCount    {@code Engine.getGpuCount()}
 * @param devices        per GPU, what CUDA reports
 */
public record GpuFacts(String platform, String driverVersion, List<String> deviceNodes, List<SmiGpu> smi,
                       String smiProblem, String libtorchFolder, boolean cudaBuild, String engineError,
                       String runtimeChoice, String runtimeReason, boolean cudartLoaded, String cudaVersion,
                       int djlGpuCount, List<CudaDevice> devices) {
    public GpuFacts {
        deviceNodes = List.copyOf(deviceNodes);
        smi = List.copyOf(smi);
        devices = List.copyOf(devices);
    }

    /** A GPU as {@code nvidia-smi} lists it. Memory in MiB; {@code computeCapability} like {@code 8.9} or "". */
    public record SmiGpu(String name, long totalMiB, long freeMiB, String computeCapability) {
    }

    /** A GPU as CUDA (through DJL) reports it. Memory in bytes, -1 when unknown. */
    public record CudaDevice(int index, String computeCapability, long freeBytes, long totalBytes) {
    }

    /** @return whether the NVIDIA driver shows any sign of a GPU */
    public boolean driverSeesGpu() {
        return driverVersion != null || !deviceNodes.isEmpty() || !smi.isEmpty();
    }
}
