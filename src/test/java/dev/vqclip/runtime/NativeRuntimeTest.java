package dev.vqclip.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The start-up choice without an install (installs: {@link RuntimeInstallerTest}). */
class NativeRuntimeTest {
    @TempDir
    Path tmp;

    private RuntimeLayout layout() {
        return new RuntimeLayout(tmp.resolve("pytorch"), "linux-x86_64");
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void nothingInstalledMeansTheBundledBuildAndSaysHowToGetCuda() {
        NativeRuntime.Choice c = NativeRuntime.decide(Map.of(), props(), layout());
        assertThat(c.runtime()).isEqualTo(NativeRuntime.BUNDLED);
        assertThat(c.properties()).isEmpty();
        assertThat(c.reason()).isEqualTo("no cuda runtime is installed: the bundled CPU build (vqclip runtime install"
                + " cuda)");
        NativeRuntime.Choice mac = NativeRuntime.decide(Map.of(), props(), new RuntimeLayout(tmp, "osx-aarch64"));
        assertThat(mac.reason()).doesNotContain("vqclip runtime install");
    }

    @Test
    void theCpuSettingWinsAndUnknownSettingsAreNamed() {
        assertThat(NativeRuntime.decide(Map.of("VQCLIP_RUNTIME", "cpu"), props(), layout()).reason())
                .startsWith("the CPU build was asked for");
        // the property beats the environment
        assertThat(NativeRuntime.decide(Map.of("VQCLIP_RUNTIME", "cpu"), props("vqclip.runtime", "cuda"), layout())
                .reason()).startsWith("no cuda runtime is installed");
        assertThat(NativeRuntime.decide(Map.of(), props("vqclip.runtime", "rocm"), layout()).reason())
                .startsWith("unknown runtime setting 'rocm' (expected auto, cpu or cuda)");
    }

    @Test
    void aUsersPytorchLibraryPathIsRespectedAndItsFlavorFilledIn() throws Exception {
        Path cuda = Files.createDirectories(tmp.resolve("libtorch-cu128").resolve("lib"));
        Files.createFile(cuda.resolve("libtorch.so"));
        Files.createFile(cuda.resolve("libtorch_cuda.so"));
        NativeRuntime.Choice c = NativeRuntime.decide(Map.of("PYTORCH_LIBRARY_PATH", cuda.toString()), props(),
                layout());
        assertThat(c.runtime()).isEqualTo("user");
        assertThat(c.folder()).contains(cuda.toAbsolutePath());
        // DJL would assume cpu-precxx11, which the JNI jar has no library for
        assertThat(c.properties()).containsEntry("PYTORCH_FLAVOR", "cu128")
                .containsEntry("jna.library.path", cuda.toAbsolutePath().toString())
                .doesNotContainKey("PYTORCH_LIBRARY_PATH");
        assertThat(c.reason()).contains("PYTORCH_LIBRARY_PATH=" + cuda).contains("cu128 build");

        // the user's own flavor stays
        NativeRuntime.Choice own = NativeRuntime.decide(Map.of("PYTORCH_LIBRARY_PATH", cuda.toString(),
                "PYTORCH_FLAVOR", "cu128"), props(), layout());
        assertThat(own.properties()).doesNotContainKey("PYTORCH_FLAVOR");
        assertThat(own.reason()).endsWith("with PYTORCH_FLAVOR=cu128");

        // a path without libtorch: DJL ignores it, and the reason says so
        NativeRuntime.Choice empty = NativeRuntime.decide(Map.of(), props("PYTORCH_LIBRARY_PATH",
                tmp.resolve("nothing").toString()), layout());
        assertThat(empty.runtime()).isEqualTo(NativeRuntime.BUNDLED);
        assertThat(empty.reason()).contains("but no libtorch.so is there");
    }
}
