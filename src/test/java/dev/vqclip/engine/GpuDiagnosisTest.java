package dev.vqclip.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every sentence of the GPU diagnosis, from made-up facts. */
class GpuDiagnosisTest {
    private static final String DRIVER = "NVRM version: NVIDIA UNIX x86_64 Kernel Module 570.86.15";
    private static final GpuFacts.SmiGpu RTX = new GpuFacts.SmiGpu("NVIDIA GeForce RTX 4090", 24564, 23000, "8.9");

    /** Linux, no driver, the bundled CPU build: this machine. */
    private static GpuFacts cpuOnly() {
        return new GpuFacts("linux-x86_64", null, List.of(), List.of(), null, "/c/pytorch/2.7.1-20250812-cpu-linux-x86_64",
                false, null, "bundled", "no cuda runtime is installed: the bundled CPU build", false, null, 0,
                List.of());
    }

    private static GpuFacts with(GpuFacts f, String driver, List<String> nodes, List<GpuFacts.SmiGpu> smi,
                                 boolean cuda, boolean cudart, int count, List<GpuFacts.CudaDevice> devices) {
        return new GpuFacts(f.platform(), driver, nodes, smi, f.smiProblem(), cuda
                ? "/c/pytorch/2.7.1-cu128-linux-x86_64" : f.libtorchFolder(), cuda, f.engineError(),
                cuda ? "cu128" : f.runtimeChoice(), cuda ? "the installed cuda runtime in /c/pytorch/2.7.1-cu128-"
                + "linux-x86_64" : f.runtimeReason(), cudart, cudart ? "12080" : null, count, devices);
    }

    @Test
    void noGpuAndTheCpuBuildSaysSo() {
        assertThat(GpuDiagnosis.whyNoGpu(cpuOnly())).hasValueSatisfying(w -> assertThat(w)
                .startsWith("no NVIDIA GPU seen").contains("CPU build of libtorch is loaded"));
        assertThat(GpuDiagnosis.report(cpuOnly())).contains(
                "libtorch: CPU build from /c/pytorch/2.7.1-20250812-cpu-linux-x86_64",
                "runtime chosen: no cuda runtime is installed: the bundled CPU build",
                "NVIDIA driver: none seen", "GPUs DJL counts: 0");
    }

    @Test
    void aGpuSeenByTheDriverWithTheCpuBuildPointsToTheInstall() {
        GpuFacts f = with(cpuOnly(), DRIVER, List.of("/dev/nvidia0"), List.of(RTX), false, false, 0, List.of());
        assertThat(GpuDiagnosis.whyNoGpu(f)).contains("GPU seen by the driver (NVIDIA GeForce RTX 4090) but the CPU"
                + " build of libtorch is loaded: run `vqclip runtime install cuda` and start again");
        assertThat(GpuDiagnosis.report(f)).contains("NVIDIA driver: " + DRIVER,
                "GPU 0 (nvidia-smi): NVIDIA GeForce RTX 4090, compute capability 8.9, 22.5 GiB free of 24.0 GiB");
        // only device nodes (no nvidia-smi on PATH): the nodes are named
        GpuFacts nodes = with(cpuOnly(), null, List.of("/dev/nvidia0", "/dev/nvidia1"), List.of(), false, false, 0,
                List.of());
        assertThat(GpuDiagnosis.whyNoGpu(nodes).orElseThrow()).contains("(/dev/nvidia0, /dev/nvidia1)");
    }

    @Test
    void aDamagedInstallIsQuotedWithTheAdvice() {
        GpuFacts base = with(cpuOnly(), DRIVER, List.of("/dev/nvidia0"), List.of(), false, false, 0, List.of());
        GpuFacts f = new GpuFacts(base.platform(), base.driverVersion(), base.deviceNodes(), base.smi(), null,
                base.libtorchFolder(), false, null, "bundled", "the cuda runtime in /x is damaged (libc10.so is"
                + " missing): the bundled CPU build; run vqclip runtime install cuda again", false, null, 0,
                List.of());
        assertThat(GpuDiagnosis.whyNoGpu(f).orElseThrow()).contains("vqclip runtime install cuda")
                .contains("(the cuda runtime in /x is damaged (libc10.so is missing)");
    }

    @Test
    void theCudaBuildWithoutLibcudart() {
        GpuFacts f = with(cpuOnly(), DRIVER, List.of("/dev/nvidia0"), List.of(RTX), true, false, 0, List.of());
        assertThat(GpuDiagnosis.whyNoGpu(f).orElseThrow()).startsWith("CUDA build loaded from "
                + "/c/pytorch/2.7.1-cu128-linux-x86_64 but no libcudart was found");
        assertThat(GpuDiagnosis.report(f)).contains("libcudart: not found",
                "libtorch: CUDA build from /c/pytorch/2.7.1-cu128-linux-x86_64");
    }

    @Test
    void theCudaBuildWithoutADriver() {
        GpuFacts f = with(cpuOnly(), null, List.of(), List.of(), true, true, 0, List.of());
        assertThat(GpuDiagnosis.whyNoGpu(f).orElseThrow()).startsWith("CUDA build loaded but no NVIDIA driver found");
    }

    @Test
    void everythingPresentButNoUsableGpu() {
        GpuFacts f = with(cpuOnly(), DRIVER, List.of("/dev/nvidia0"), List.of(RTX), true, true, 0, List.of());
        assertThat(GpuDiagnosis.whyNoGpu(f).orElseThrow()).contains("CUDA reports no usable GPU")
                .contains("driver may be too old");
    }

    @Test
    void aWorkingGpuReportsCapabilityAndMemory() {
        GpuFacts f = with(cpuOnly(), DRIVER, List.of("/dev/nvidia0"), List.of(RTX), true, true, 1,
                List.of(new GpuFacts.CudaDevice(0, "8.9", 20L << 30, 24L << 30)));
        assertThat(GpuDiagnosis.whyNoGpu(f)).isEmpty();
        List<String> r = GpuDiagnosis.report(f);
        assertThat(r).contains("GPU 0: compute capability 8.9, 20.0 GiB free of 24.0 GiB",
                "libcudart: loaded (CUDA runtime 12080)", "GPUs DJL counts: 1");
        assertThat(r).noneMatch(l -> l.startsWith("no GPU"));
        assertThat(r).noneMatch(l -> l.contains("(nvidia-smi)")); // CUDA's own figures replace nvidia-smi's
    }

    @Test
    void anOldGpuIsWarnedAbout() {
        GpuFacts f = with(cpuOnly(), DRIVER, List.of("/dev/nvidia0"), List.of(), true, true, 1,
                List.of(new GpuFacts.CudaDevice(0, "6.1", -1, -1)));
        assertThat(GpuDiagnosis.report(f)).anyMatch(l -> l.startsWith("GPU 0: compute capability 6.1 (older than"
                + " the 7.5 this CUDA 12.8 build has kernels for"));
    }

    @Test
    void macsAndBrokenEnginesAndNvidiaSmiProblems() {
        GpuFacts mac = new GpuFacts("osx-aarch64", null, List.of(), List.of(), null, "/c", false, null, "bundled",
                "r", false, null, 0, List.of());
        assertThat(GpuDiagnosis.whyNoGpu(mac)).contains("macOS has no CUDA; on Apple silicon use --device mps");
        assertThat(GpuDiagnosis.report(mac)).contains("Apple silicon: --device mps runs on the GPU through Metal");
        GpuFacts broken = new GpuFacts("linux-x86_64", null, List.of(), List.of(), "did not answer within 2 s", null,
                false, "UnsatisfiedLinkError: libcudnn.so.9", null, null, false, null, 0, List.of());
        assertThat(GpuDiagnosis.whyNoGpu(broken)).contains("libtorch did not load (UnsatisfiedLinkError:"
                + " libcudnn.so.9)");
        assertThat(GpuDiagnosis.report(broken)).contains("nvidia-smi: did not answer within 2 s");
    }

    @Test
    void probeParsesWhatTheMachineShows(@TempDir Path tmp) throws Exception {
        assertThat(GpuProbe.parseSmi("NVIDIA H100 80GB HBM3, 81559, 81000, 9.0\nWarning: something\n"))
                .containsExactly(new GpuFacts.SmiGpu("NVIDIA H100 80GB HBM3", 81559, 81000, "9.0"));
        Files.createFile(tmp.resolve("nvidia1"));
        Files.createFile(tmp.resolve("nvidia0"));
        Files.createFile(tmp.resolve("nvidiactl"));
        Files.createFile(tmp.resolve("null"));
        assertThat(GpuProbe.deviceNodes(tmp)).containsExactly("/dev/nvidia0", "/dev/nvidia1");
        Path v = Files.writeString(tmp.resolve("version"), DRIVER.replace(" ", "  ") + "\nGCC version: 12\n");
        assertThat(GpuProbe.driverVersion(v)).isEqualTo(DRIVER);
        assertThat(GpuProbe.driverVersion(tmp.resolve("absent"))).isNull();
        Files.createFile(tmp.resolve("libc10_cuda.so"));
        assertThat(GpuProbe.hasCudaLibraries(tmp)).isTrue();
        assertThat(GpuProbe.platform("Mac OS X", "aarch64")).isEqualTo("osx-aarch64");
        assertThat(GpuProbe.platform("Windows 11", "amd64")).isEqualTo("win-x86_64");
        assertThat(GpuProbe.platform("Linux", "aarch64")).isEqualTo("linux-aarch64");
    }
}
