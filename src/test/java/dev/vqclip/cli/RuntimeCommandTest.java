package dev.vqclip.cli;

import dev.vqclip.models.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vqclip runtime install|status|remove} through the command line, against a loopback mirror. */
class RuntimeCommandTest {
    @TempDir
    static Path cache;
    private static String before;

    @BeforeAll
    static void redirectDjlCache() {
        before = System.getProperty("ENGINE_CACHE_DIR");
        System.setProperty("ENGINE_CACHE_DIR", cache.toString()); // this test class runs in its own JVM
    }

    @AfterAll
    static void restore() {
        if (before == null) {
            System.clearProperty("ENGINE_CACHE_DIR");
        } else {
            System.setProperty("ENGINE_CACHE_DIR", before);
        }
    }

    @Test
    void installStatusRemove() throws Exception {
        byte[] lib = "not really a library, but the bytes travel the same way".repeat(2000)
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(lib);
        }
        try (FixtureServer s = new FixtureServer()) {
            s.route("/djl/2.7.1/files.txt", FixtureServer.file(("cu128/linux-x86_64/native/lib/libtorch.so.gz\n"
                    + "cpu/linux-x86_64/native/lib/libtorch.so.gz\n").getBytes(StandardCharsets.UTF_8), true));
            s.route("/djl/2.7.1/cpu/linux-x86_64/native/lib/libtorch.so.gz", FixtureServer.file(gz.toByteArray(),
                    true));
            CliRun before = CliRun.of("runtime", "status");
            assertThat(before.code()).isZero();
            assertThat(before.out()).contains("cuda:           not installed (vqclip runtime install cuda)")
                    .doesNotContain("cpu:"); // the testing flavor is hidden until installed

            CliRun install = CliRun.of("runtime", "install", "cpu", "-q", "--mirror-only", "--mirror",
                    s.url("/djl").toString());
            assertThat(install.code()).as(install.err()).isZero();
            Path folder = cache.resolve("pytorch").resolve("2.7.1-cpu-linux-x86_64");
            assertThat(install.out()).contains("1 files of the cpu runtime listed by " + s.url("/djl"))
                    .contains("installed the cpu runtime").contains(folder.toString())
                    .contains("restart vqclip to use it");
            assertThat(Files.readAllBytes(folder.resolve("libtorch.so"))).isEqualTo(lib);

            CliRun status = CliRun.of("runtime", "status");
            assertThat(status.out()).contains("cpu:            installed in " + folder + " (1 files")
                    .contains("gzip CRC checked, no published checksums");

            CliRun remove = CliRun.of("runtime", "remove", "cpu");
            assertThat(remove.out()).contains("removed the cpu runtime from " + folder);
            assertThat(folder).doesNotExist();
        }
    }

    @Test
    void badNamesAndUnreachableSourcesAreExplained() throws Exception {
        CliRun bad = CliRun.of("runtime", "install", "rocm");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("unknown runtime 'rocm' (expected cuda)");
        try (FixtureServer s = new FixtureServer()) {
            // a mirror that has nothing (and never DJL's server: a test must not download 3 GB)
            CliRun none = CliRun.of("runtime", "install", "cpu", "-q", "--timeout", "2", "--mirror-only", "--mirror",
                    s.url("/empty").toString());
            assertThat(none.code()).isEqualTo(1);
            assertThat(none.err()).contains("error: no source had 2.7.1/files.txt")
                    .contains(s.url("/empty") + "/2.7.1/files.txt: HTTP 404")
                    .doesNotContain("publish.djl.ai/pytorch/2.7.1/files.txt:");
            CliRun alone = CliRun.of("runtime", "install", "cpu", "--mirror-only");
            assertThat(alone.err()).contains("--mirror-only needs --mirror URL");
        }
    }
}
