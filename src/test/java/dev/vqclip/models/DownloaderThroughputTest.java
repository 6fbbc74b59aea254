package dev.vqclip.models;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loopback throughput of a 256 MiB download including the SHA-256 pass (run with
 * {@code -Dsurefire.excludedGroups= -Dtest=DownloaderThroughputTest}). Prints MiB/s; asserts only correctness.
 */
@Tag("slow")
class DownloaderThroughputTest {
    @TempDir
    Path tmp;

    @Test
    void loopbackDownloadOfQuarterGigabyte() throws Exception {
        byte[] data = TestModels.randomBytes(256 << 20, 99);
        try (FixtureServer server = new FixtureServer()) {
            server.route("/big", FixtureServer.file(data, true));
            ModelEntry e = TestModels.entry("big", ModelKind.CLIP,
                    TestModels.verified("big.pt", FileRole.WEIGHTS, data, server.url("/big")));
            ModelCache cache = new ModelCache(tmp);
            Downloader d = new Downloader(cache, Downloader.Options.defaults(), TestModels.anyStructure());
            long t0 = System.nanoTime();
            d.download(e, null, null);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("256 MiB over loopback incl. SHA-256: %.2f s = %.0f MiB/s%n", secs, 256 / secs);
            assertThat(Files.size(cache.fileOf(e, e.files().get(0)))).isEqualTo(data.length);
        }
    }
}
