package dev.vqclip.runtime;

import dev.vqclip.models.DownloadProgress;
import dev.vqclip.models.Downloader;
import dev.vqclip.models.FixtureServer;
import dev.vqclip.models.Hashing;
import dev.vqclip.models.ProgressListener;
import dev.vqclip.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code vqclip runtime install} against a loopback mirror: the real CPU libtorch (installed the way the CUDA one is)
 * lands where DJL loads it from in a fresh JVM; progress, resume, checksums and half installs.
 */
class RuntimeInstallerTest {
    private static final String V = "/" + RuntimeLayout.TORCH_VERSION + "/";
    private static final String CPU_PREFIX = "cpu/linux-x86_64/native/lib/";

    @TempDir
    Path tmp;

    private static Downloader.Options fast() {
        return Downloader.Options.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withProgressInterval(Duration.ofMillis(20));
    }

    private RuntimeLayout layout() {
        return new RuntimeLayout(tmp.resolve("cache").resolve("pytorch"), "linux-x86_64");
    }

    private static URI base(FixtureServer s) {
        String u = s.url("/mirror").toString();
        return URI.create(u);
    }

    /** Serves small made-up libraries (libtorch.so among them) under /mirror. */
    private static Map<String, byte[]> serveFake(FixtureServer s, Map<String, String> sums) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        Random r = new Random(7);
        for (String n : List.of("libtorch.so", "libc10.so", "libextra.so.1")) {
            byte[] data = new byte[n.equals("libtorch.so") ? 3_000_000 : 200_000];
            r.nextBytes(data);
            files.put(n, data);
        }
        s.route("/mirror" + V + "files.txt", FixtureServer.file(RuntimeFixtures.fileList(CPU_PREFIX,
                List.of("libtorch.so", "libc10.so", "libextra.so.1")).getBytes(StandardCharsets.UTF_8), true));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            s.route("/mirror" + V + CPU_PREFIX + e.getKey() + ".gz",
                    FixtureServer.file(RuntimeFixtures.gzip(e.getValue()), true));
        }
        if (sums != null) {
            StringBuilder sb = new StringBuilder();
            sums.forEach((p, h) -> sb.append(h).append("  ").append(p).append('\n'));
            s.route("/mirror" + V + "files.sha256", FixtureServer.file(sb.toString().getBytes(StandardCharsets.UTF_8),
                    true));
        }
        return files;
    }

    @Test
    void theRealCpuLibtorchLandsWhereDjlLoadsItFrom() throws Exception {
        List<String> libs = RuntimeFixtures.libraries();
        Map<String, String> sums = new HashMap<>();
        try (FixtureServer s = new FixtureServer()) {
            for (String n : libs) {
                Path gz = RuntimeFixtures.gzipped(n);
                s.route("/mirror" + V + CPU_PREFIX + n + ".gz", FixtureServer.file(Files.readAllBytes(gz), true));
                sums.put(CPU_PREFIX + n + ".gz", Hashing.sha256(gz));
            }
            s.route("/mirror" + V + "files.txt", FixtureServer.file(RuntimeFixtures.fileList(CPU_PREFIX, libs)
                    .getBytes(StandardCharsets.UTF_8), true));
            StringBuilder sb = new StringBuilder();
            sums.forEach((p, h) -> sb.append(h).append(" *").append(p).append('\n'));
            s.route("/mirror" + V + "files.sha256", FixtureServer.file(sb.toString().getBytes(StandardCharsets.UTF_8),
                    true));
            RuntimeLayout layout = layout();
            List<DownloadProgress> progress = new CopyOnWriteArrayList<>();
            List<String> messages = new CopyOnWriteArrayList<>();
            Path folder = new RuntimeInstaller(layout, fast()).install(RuntimeFlavor.CPU, List.of(base(s)),
                    listener(progress, messages), null);

            assertThat(folder).isEqualTo(layout.cache().resolve("2.7.1-cpu-linux-x86_64"));
            for (String n : libs) {
                Path orig = RuntimeFixtures.original(n);
                assertThat(Files.size(folder.resolve(n))).as(n).isEqualTo(Files.size(orig));
                assertThat(Hashing.sha256(folder.resolve(n))).as(n).isEqualTo(Hashing.sha256(orig));
            }
            assertThat(messages).anyMatch(m -> m.startsWith("checking every file against "));
            RuntimeManifest m = RuntimeManifest.read(layout.manifest(RuntimeFlavor.CPU)).orElseThrow();
            assertThat(m.files()).hasSize(libs.size());
            assertThat(m.checksums()).endsWith("/files.sha256");
            // nothing but the libraries in the folder DJL loads every file of, and the download area emptied
            try (var list = Files.list(folder)) {
                assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(libs);
            }
            assertThat(progress).anyMatch(p -> p.fileName().equals("libtorch_cpu.so.gz") && p.bytes() == p.total());

            // a fresh JVM with this cache selects the installed runtime, and DJL loads libtorch from its folder
            String selected = probe(layout, List.of("-Dvqclip.runtime.flavor=cpu"));
            assertThat(selected).isEqualTo(folder.toAbsolutePath().toString());
            // and asking for the CPU build leaves DJL to its own copy from the jar (a different folder)
            String bundled = probe(layout, List.of("-Dvqclip.runtime.flavor=cpu", "-Dvqclip.runtime=cpu"));
            assertThat(Path.of(bundled)).isNotEqualTo(folder.toAbsolutePath());
            // the offline route: a user's PYTORCH_LIBRARY_PATH (here the -D form DJL also reads) to such a folder
            String user = probe(layout, List.of("-DPYTORCH_LIBRARY_PATH=" + folder.toAbsolutePath()));
            assertThat(user).isEqualTo(folder.toAbsolutePath().toString());
        }
    }

    /** @return the libtorch folder DJL loaded in a child JVM using {@code layout}'s cache */
    private static String probe(RuntimeLayout layout, List<String> options) throws Exception {
        List<String> jvm = new ArrayList<>(options);
        jvm.add("-DENGINE_CACHE_DIR=" + layout.cache().getParent().toAbsolutePath());
        jvm.add("-Dai.djl.offline=true");
        try (ChildJvm child = ChildJvm.start(RuntimeProbeMain.class, jvm, List.of(), null)) {
            String sum = child.await("SUM ", 120_000);
            assertThat(sum).isEqualTo("SUM 6.0");
            String line = child.await("LIBTORCH ", 30_000);
            assertThat(child.waitFor(30_000)).as(child.output()).isZero();
            return line.substring("LIBTORCH ".length());
        }
    }

    private static ProgressListener listener(List<DownloadProgress> progress, List<String> messages) {
        return new ProgressListener() {
            @Override
            public void onProgress(DownloadProgress p) {
                progress.add(p);
            }

            @Override
            public void onMessage(String m) {
                messages.add(m);
            }
        };
    }

    @Test
    void whenTheChosenRuntimeDoesNotLoadTheErrorSaysHowToStartWithTheCpuBuild() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            serveFake(s, null); // random bytes: "libtorch.so" is no library at all
            RuntimeLayout layout = layout();
            Path folder = new RuntimeInstaller(layout, fast()).install(RuntimeFlavor.CPU, List.of(base(s)), null,
                    null);
            List<String> jvm = List.of("-Dvqclip.runtime.flavor=cpu", "-Dai.djl.offline=true",
                    "-DENGINE_CACHE_DIR=" + layout.cache().getParent().toAbsolutePath());
            try (ChildJvm child = ChildJvm.start(dev.vqclip.cli.Main.class, jvm,
                    List.of("doctor", "--builtin", "vqgan_imagenet_f16_16384"), null)) {
                assertThat(child.waitFor(120_000)).isEqualTo(1);
                assertThat(child.output()).contains("libtorch did not load from " + folder.toAbsolutePath()
                        + ", chosen because the installed cpu runtime in").contains("VQCLIP_RUNTIME=cpu starts with"
                        + " the bundled CPU build");
            }
        }
    }

    /** @return N of a {@code bytes=N-} range, or -1 */
    private static long resumedFrom(String range) {
        if (range == null || !range.matches("bytes=\\d+-")) {
            return -1;
        }
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }

    /** Serves the mirror's libtorch.so.gz the way {@code how} says; @return its path on the server */
    private static String routeLibtorch(FixtureServer s, FixtureServer.Behaviour how) {
        String path = "/mirror" + V + CPU_PREFIX + "libtorch.so.gz";
        s.route(path, how);
        return path;
    }

    @Test
    void aDroppedConnectionIsResumedAndProgressReported() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            Map<String, byte[]> files = serveFake(s, null);
            byte[] gz = RuntimeFixtures.gzip(files.get("libtorch.so"));
            String path = routeLibtorch(s, FixtureServer.cutOnce(gz, gz.length / 3, true));
            List<DownloadProgress> progress = new CopyOnWriteArrayList<>();
            List<String> messages = new CopyOnWriteArrayList<>();
            Path folder = new RuntimeInstaller(layout(), fast()).install(RuntimeFlavor.CPU, List.of(base(s)),
                    listener(progress, messages), null);
            assertThat(Files.readAllBytes(folder.resolve("libtorch.so"))).isEqualTo(files.get("libtorch.so"));
            // resumed from what had arrived: the cut's position at most (an abortive close may lose bytes in flight)
            assertThat(s.requests()).anyMatch(r -> r.path().equals(path) && resumedFrom(r.range()) > 0
                    && resumedFrom(r.range()) <= gz.length / 3);
            assertThat(messages).anyMatch(m -> m.contains("resuming libtorch.so.gz"));
            assertThat(messages).anyMatch(m -> m.contains("publishes no files.sha256"));
            assertThat(progress).anyMatch(p -> p.fileName().equals("libtorch.so.gz") && p.bytes() > 0
                    && p.bytes() < gz.length);
            assertThat(progress).anyMatch(p -> p.fileName().equals("libtorch.so.gz") && p.bytes() == gz.length);
            assertThat(new RuntimeInstaller(layout(), fast()).installed(RuntimeFlavor.CPU)).isPresent();
        }
    }

    @Test
    void aCancelledInstallKeepsItsDataAndTheNextOneResumes() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            Map<String, byte[]> files = serveFake(s, null);
            byte[] gz = RuntimeFixtures.gzip(files.get("libtorch.so"));
            String path = routeLibtorch(s, FixtureServer.stallAfter(gz, gz.length / 2));
            RuntimeLayout layout = layout();
            dev.vqclip.models.CancelToken cancel = new dev.vqclip.models.CancelToken();
            ProgressListener stopHalfway = p -> {
                if (p.fileName().equals("libtorch.so.gz") && p.bytes() >= gz.length / 2) {
                    cancel.cancel();
                }
            };
            assertThatThrownBy(() -> new RuntimeInstaller(layout, fast()).install(RuntimeFlavor.CPU,
                    List.of(base(s)), stopHalfway, cancel))
                    .isInstanceOf(dev.vqclip.models.DownloadCancelledException.class);
            assertThat(layout.manifest(RuntimeFlavor.CPU)).doesNotExist();
            assertThat(choose(layout).folder()).isEmpty();

            s.route(path, FixtureServer.file(gz, true));
            Path folder = new RuntimeInstaller(layout, fast()).install(RuntimeFlavor.CPU, List.of(base(s)), null,
                    null);
            assertThat(Files.readAllBytes(folder.resolve("libtorch.so"))).isEqualTo(files.get("libtorch.so"));
            assertThat(s.requests()).anyMatch(r -> r.path().equals(path) && ("bytes=" + gz.length / 2 + "-")
                    .equals(r.range()));
        }
    }

    @Test
    void fullAndReadOnlyDisksAreSaidPlainly() {
        Path cache = Path.of("/c/pytorch");
        assertThat(RuntimeInstaller.describe(new IOException("/c/pytorch/x: No space left on device"), cache))
                .startsWith("the disk holding /c/pytorch is full").contains("DJL_CACHE_DIR");
        assertThat(RuntimeInstaller.describe(new java.nio.file.AccessDeniedException("/c/pytorch/x"), cache))
                .startsWith("/c/pytorch is not writable").contains("DJL_CACHE_DIR");
        assertThat(RuntimeInstaller.describe(new java.nio.file.FileSystemException("/c/pytorch/x", null,
                "Read-only file system"), cache)).startsWith("/c/pytorch is not writable");
    }

    @Test
    void aChecksumMismatchIsRefusedNamingTheFileAndNothingLooksInstalled() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            Map<String, String> sums = new HashMap<>();
            String bad = "0".repeat(64);
            sums.put(CPU_PREFIX + "libtorch.so.gz", bad);
            sums.put(CPU_PREFIX + "libc10.so.gz", bad);
            sums.put(CPU_PREFIX + "libextra.so.1.gz", bad);
            serveFake(s, sums);
            RuntimeLayout layout = layout();
            assertThatThrownBy(() -> new RuntimeInstaller(layout, fast()).install(RuntimeFlavor.CPU,
                    List.of(base(s)), null, null))
                    .isInstanceOf(RuntimeInstallException.class)
                    .hasMessageContaining(".so.gz")
                    .hasMessageContaining("checksum mismatch");
            assertThat(layout.manifest(RuntimeFlavor.CPU)).doesNotExist();
            assertThat(layout.folder(RuntimeFlavor.CPU)).doesNotExist();
            assertThat(choose(layout).runtime()).isEqualTo(NativeRuntime.BUNDLED);
        }
    }

    @Test
    void aChecksumListWithoutALineForAFileIsRefused() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            serveFake(s, Map.of(CPU_PREFIX + "libtorch.so.gz", "a".repeat(64)));
            assertThatThrownBy(() -> new RuntimeInstaller(layout(), fast()).install(RuntimeFlavor.CPU,
                    List.of(base(s)), null, null))
                    .isInstanceOf(RuntimeInstallException.class)
                    .hasMessageContaining("has no checksum for " + CPU_PREFIX);
        }
    }

    @Test
    void aDamagedArchiveIsRefusedNamingTheFile() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            Map<String, byte[]> files = serveFake(s, null);
            byte[] gz = RuntimeFixtures.gzip(files.get("libc10.so"));
            gz[gz.length - 6] ^= 0x55; // inside the CRC-32 of the trailer
            s.route("/mirror" + V + CPU_PREFIX + "libc10.so.gz", FixtureServer.file(gz, true));
            RuntimeLayout layout = layout();
            assertThatThrownBy(() -> new RuntimeInstaller(layout, fast()).install(RuntimeFlavor.CPU,
                    List.of(base(s)), null, null))
                    .isInstanceOf(RuntimeInstallException.class)
                    .hasMessageContaining("libc10.so.gz is damaged");
            assertThat(layout.manifest(RuntimeFlavor.CPU)).doesNotExist();
            assertThat(layout.staging(RuntimeFlavor.CPU)).doesNotExist();
        }
    }

    @Test
    void mirrorsAreTriedInOrderAndNoSourceSaysWhatEachAnswered() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            serveFake(s, null);
            URI dead = s.url("/nothing-here");
            Path folder = new RuntimeInstaller(layout(), fast()).install(RuntimeFlavor.CPU, List.of(dead, base(s)),
                    null, null);
            assertThat(folder.resolve("libtorch.so")).exists();
            assertThat(s.count("/nothing-here" + V + "files.txt")).isEqualTo(1);

            RuntimeLayout other = new RuntimeLayout(tmp.resolve("other"), "linux-x86_64");
            assertThatThrownBy(() -> new RuntimeInstaller(other, fast()).install(RuntimeFlavor.CPU, List.of(dead),
                    null, null))
                    .isInstanceOf(RuntimeInstallException.class)
                    .hasMessageContaining("no source had 2.7.1/files.txt")
                    .hasMessageContaining("HTTP 404")
                    .hasMessageContaining("PYTORCH_LIBRARY_PATH");
        }
    }

    @Test
    void aHalfInstallIsNotSelected() throws Exception {
        try (FixtureServer s = new FixtureServer()) {
            serveFake(s, null);
            RuntimeLayout layout = layout();
            RuntimeInstaller inst = new RuntimeInstaller(layout, fast());
            Path folder = inst.install(RuntimeFlavor.CPU, List.of(base(s)), null, null);
            NativeRuntime.Choice ok = choose(layout);
            assertThat(ok.runtime()).isEqualTo("cpu");
            assertThat(ok.folder()).contains(folder);
            assertThat(ok.properties()).containsEntry("PYTORCH_FLAVOR", "cpu");
            assertThat(ok.properties()).containsEntry("PYTORCH_LIBRARY_PATH", folder.toAbsolutePath().toString());

            // a file cut short (a disk that filled up, a copy by hand): not selected, and the reason says which
            Files.write(folder.resolve("libc10.so"), new byte[10]);
            NativeRuntime.Choice damaged = choose(layout);
            assertThat(damaged.folder()).isEmpty();
            assertThat(damaged.reason()).contains("libc10.so has 10 bytes").contains("install cpu again");
            assertThat(inst.installed(RuntimeFlavor.CPU)).isEmpty();

            // an install that never got to its manifest (killed while unpacking or moving)
            Files.delete(layout.manifest(RuntimeFlavor.CPU));
            NativeRuntime.Choice half = choose(layout);
            assertThat(half.folder()).isEmpty();
            assertThat(half.reason()).contains("not completely installed");

            // the installer repairs it
            inst.install(RuntimeFlavor.CPU, List.of(base(s)), null, null);
            assertThat(choose(layout).folder()).contains(folder);
            assertThat(inst.remove(RuntimeFlavor.CPU)).isTrue();
            assertThat(folder).doesNotExist();
            assertThat(choose(layout).folder()).isEmpty();
        }
    }

    @Test
    void aFlavorWithoutABuildForThePlatformIsRefused() {
        RuntimeLayout mac = new RuntimeLayout(tmp, "osx-aarch64");
        assertThatThrownBy(() -> new RuntimeInstaller(mac, fast()).install(RuntimeFlavor.CUDA, List.of(), null, null))
                .hasMessageContaining("no cuda build of PyTorch 2.7.1 for osx-aarch64");
    }

    @Test
    void checksumListsAreParsedLikeSha256sumWritesThem() {
        String a = "a".repeat(64);
        assertThat(RuntimeInstaller.parseChecksums("# made by sha256sum\n" + a + "  cu128/x.gz\n" + a.toUpperCase()
                + " *./cu128/y.gz\n\n"))
                .containsEntry("cu128/x.gz", a).containsEntry("cu128/y.gz", a);
        assertThatThrownBy(() -> RuntimeInstaller.parseChecksums("abc  x.gz"))
                .hasMessageContaining("malformed line 'abc  x.gz'");
    }

    private static NativeRuntime.Choice choose(RuntimeLayout layout) {
        Properties p = new Properties();
        p.setProperty("vqclip.runtime.flavor", "cpu");
        return NativeRuntime.decide(Map.of(), p, layout);
    }
}
