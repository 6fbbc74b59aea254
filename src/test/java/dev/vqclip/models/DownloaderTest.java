package dev.vqclip.models;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.vqclip.models.TestModels.anyStructure;
import static dev.vqclip.models.TestModels.entry;
import static dev.vqclip.models.TestModels.randomBytes;
import static dev.vqclip.models.TestModels.sizeOnly;
import static dev.vqclip.models.TestModels.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class DownloaderTest {
    @TempDir
    Path tmp;
    FixtureServer server;
    ModelCache cache;

    @BeforeEach
    void start() throws IOException {
        server = new FixtureServer();
        cache = new ModelCache(tmp.resolve("cache"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Downloader downloader(Downloader.Options o) {
        return new Downloader(cache, o, anyStructure());
    }

    /** Short timeouts, but generous enough for a cold JVM's first request on a busy machine. */
    private static Downloader.Options fast() {
        return Downloader.Options.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3))
                .withProgressInterval(Duration.ofMillis(20));
    }

    /** For the stalling servers: give up after 400 ms of silence. */
    private static Downloader.Options impatient() {
        return fast().withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(400));
    }

    /** Every file left in the model's folder: nothing may look installed after a failure. */
    private List<String> leftovers(ModelEntry e) throws IOException {
        Path dir = cache.modelDir(e);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** @return a listener that ignores progress and collects the messages into {@code messages} */
    private static ProgressListener messagesInto(List<String> messages) {
        return new ProgressListener() {
            @Override
            public void onProgress(DownloadProgress p) {
            }

            @Override
            public void onMessage(String m) {
                messages.add(m);
            }
        };
    }

    @Test
    void downloadsVerifiesMovesIntoPlaceAndMarksInstalled() throws IOException {
        byte[] ckpt = randomBytes(300_000, 1);
        byte[] yaml = "model:\n  params: {}\n".getBytes();
        server.route("/ckpt", FixtureServer.file(ckpt, true)).route("/yaml", FixtureServer.file(yaml, true));
        ModelEntry e = entry("m", ModelKind.VQGAN, verified("m.ckpt", FileRole.CKPT, ckpt, server.url("/ckpt")),
                sizeOnly("m.yaml", FileRole.CONFIG, yaml, server.url("/yaml")));
        List<DownloadProgress> progress = new CopyOnWriteArrayList<>();

        Path dir = downloader(fast()).download(e, progress::add, CancelToken.none());

        assertThat(Files.readAllBytes(dir.resolve("m.ckpt"))).isEqualTo(ckpt);
        assertThat(Files.readAllBytes(dir.resolve("m.yaml"))).isEqualTo(yaml);
        assertThat(cache.isInstalled(e)).isTrue();
        assertThat(leftovers(e)).containsExactly(ModelCache.MARKER, "m.ckpt", "m.yaml");
        assertThat(cache.marker(e).orElseThrow().path("files").get(0).path("sha256").asText())
                .isEqualTo(Hashing.sha256(ckpt));
        DownloadProgress last = progress.stream().filter(p -> p.fileName().equals("m.ckpt"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(last.bytes()).isEqualTo(ckpt.length);
        assertThat(last.total()).isEqualTo(ckpt.length);
        assertThat(last.fileCount()).isEqualTo(2);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void resumesWithRangeAfterTheConnectionIsCutHalfway() throws IOException {
        byte[] data = randomBytes(400_000, 2);
        server.route("/f", FixtureServer.cutOnce(data, 150_000, true));
        ModelEntry e = entry("cut", ModelKind.CLIP, verified("cut.pt", FileRole.WEIGHTS, data, server.url("/f")));
        List<String> messages = new CopyOnWriteArrayList<>();

        downloader(fast()).download(e, messagesInto(messages), CancelToken.none());

        assertThat(Files.readAllBytes(cache.fileOf(e, e.files().get(0)))).isEqualTo(data);
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(0).range()).isNull();
        String range = server.requests().get(1).range();
        assertThat(range).startsWith("bytes=").endsWith("-");
        long resumedAt = Long.parseLong(range.substring(6, range.length() - 1));
        assertThat(resumedAt).isPositive().isLessThanOrEqualTo(150_000);
        assertThat(messages).anyMatch(m -> m.contains("resuming"));
        assertThat(cache.isInstalled(e)).isTrue();
    }

    @Test
    void restartsFromZeroWhenTheServerIgnoresRange() throws IOException {
        byte[] data = randomBytes(200_000, 3);
        server.route("/f", FixtureServer.cutOnce(data, 90_000, false));
        ModelEntry e = entry("norange", ModelKind.CLIP, verified("nr.pt", FileRole.WEIGHTS, data, server.url("/f")));

        downloader(fast()).download(e, null, null);

        assertThat(Files.readAllBytes(cache.fileOf(e, e.files().get(0)))).isEqualTo(data);
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(1).range()).isNotNull();
    }

    /**
     * Serves {@code data} (with Range support) as the one file of a CLIP entry whose download an earlier run left as
     * the part file {@code part}, downloads it and checks that the installed file is {@code data}.
     */
    private void downloadOverPart(String name, byte[] data, byte[] part) throws IOException {
        server.route("/f", FixtureServer.file(data, true));
        ModelEntry e = entry(name, ModelKind.CLIP, verified(name + ".pt", FileRole.WEIGHTS, data, server.url("/f")));
        Files.createDirectories(cache.modelDir(e));
        Files.write(cache.partOf(e, e.files().get(0)), part);

        downloader(fast()).download(e, null, null);

        assertThat(Files.readAllBytes(cache.fileOf(e, e.files().get(0)))).isEqualTo(data);
    }

    @Test
    void resumesAPartLeftByAnEarlierRun() throws IOException {
        byte[] data = randomBytes(100_000, 4);
        downloadOverPart("again", data, java.util.Arrays.copyOf(data, 60_000));
        assertThat(server.requests()).extracting(FixtureServer.Request::range).containsExactly("bytes=60000-");
    }

    @Test
    void aStaleCompletePartThatFailsTheChecksumIsFetchedAgain() throws IOException {
        downloadOverPart("stale", randomBytes(50_000, 40), randomBytes(50_000, 41));
        assertThat(server.requests()).extracting(FixtureServer.Request::range).containsExactly((String) null);
    }

    @Test
    void aSecondConcurrentDownloadOfTheSameModelIsRefused() throws IOException {
        ModelEntry e = entry("locked", ModelKind.CLIP, verified("l.pt", FileRole.WEIGHTS, randomBytes(10, 42),
                server.url("/f")));
        Files.createDirectories(cache.modelDir(e));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                cache.modelDir(e).resolve(".download.lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock held = ch.lock()) {
            assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                    .hasMessageContaining("another download of locked");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void wrongChecksumIsRejectedAndNothingLooksInstalled() throws IOException {
        byte[] served = randomBytes(50_000, 5);
        byte[] expected = randomBytes(50_000, 6);
        server.route("/f", FixtureServer.file(served, true));
        ModelEntry e = entry("bad", ModelKind.CLIP, verified("bad.pt", FileRole.WEIGHTS, expected, server.url("/f")));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining(Hashing.sha256(expected))
                .hasMessageContaining(server.url("/f").toString())
                .hasMessageContaining("vqclip models import");

        assertThat(cache.isInstalled(e)).isFalse();
        assertThat(leftovers(e)).noneMatch(n -> n.equals("bad.pt") || n.equals(ModelCache.MARKER)
                || n.endsWith(".part"));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void htmlPageInsteadOfTheFileIsRejected() throws IOException {
        byte[] data = randomBytes(80_000, 7);
        server.route("/html", FixtureServer.html("text/html; charset=utf-8"));
        ModelEntry e = entry("page", ModelKind.VQGAN, sizeOnly("p.ckpt", FileRole.CKPT, data, server.url("/html")));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(Downloader.WEB_PAGE);
        assertThat(cache.isInstalled(e)).isFalse();
        assertThat(leftovers(e)).noneMatch(n -> n.equals("p.ckpt") || n.endsWith(".part"));
    }

    @Test
    void htmlBodyIsRecognisedEvenWithABinaryContentType() throws IOException {
        // a yaml has no known size, so only the body can give the page away
        server.route("/sneaky", FixtureServer.html("application/octet-stream"));
        ModelEntry e = entry("sneaky", ModelKind.VQGAN, new ModelFile("s.yaml", FileRole.CONFIG, null, null, null,
                List.of(server.url("/sneaky")), null));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .hasMessageContaining(Downloader.WEB_PAGE);
        assertThat(leftovers(e)).noneMatch(n -> n.equals("s.yaml") || n.endsWith(".part"));
    }

    @Test
    void responseFarSmallerThanExpectedIsRejected() {
        server.route("/tiny", FixtureServer.file(randomBytes(500, 8), true));
        ModelEntry e = entry("tiny", ModelKind.VQGAN, new ModelFile("t.ckpt", FileRole.CKPT, null, 900_000L, null,
                List.of(server.url("/tiny")), null));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .hasMessageContaining(Downloader.WEB_PAGE)
                .hasMessageContaining("500 bytes");
    }

    @Test
    void smallErrorBodyWithoutLengthIsRejectedAtOnceNotResumedOverAndOver() throws IOException {
        byte[] data = randomBytes(300_000, 19);
        server.route("/json", FixtureServer.chunked("{\"error\": \"quota exceeded\"}".getBytes(),
                "application/json"));
        ModelEntry e = entry("quota", ModelKind.CLIP, verified("qu.pt", FileRole.WEIGHTS, data, server.url("/json")));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .hasMessageContaining(Downloader.WEB_PAGE);
        assertThat(server.requests()).hasSize(1);
        assertThat(leftovers(e)).noneMatch(n -> n.equals("qu.pt") || n.endsWith(".part"));
    }

    @Test
    void notFoundOnTheFirstSourceFallsBackToTheSecond() throws IOException {
        byte[] data = randomBytes(120_000, 9);
        server.route("/dead", FixtureServer.status(404)).route("/alive", FixtureServer.file(data, true));
        ModelEntry e = entry("two", ModelKind.CLIP, verified("two.pt", FileRole.WEIGHTS, data,
                server.url("/dead"), server.url("/alive")));
        List<String> messages = new CopyOnWriteArrayList<>();

        downloader(fast()).download(e, messagesInto(messages), null);

        assertThat(Files.readAllBytes(cache.fileOf(e, e.files().get(0)))).isEqualTo(data);
        assertThat(server.requests()).extracting(FixtureServer.Request::path).containsExactly("/dead", "/alive");
        assertThat(messages).anyMatch(m -> m.contains("/dead") && m.contains("404"));
    }

    @Test
    void serverErrorsOnEverySourceAreAllReported() {
        server.route("/a", FixtureServer.status(503)).route("/b", FixtureServer.status(404));
        ModelEntry e = entry("none", ModelKind.CLIP, verified("n.pt", FileRole.WEIGHTS, randomBytes(10, 1),
                server.url("/a"), server.url("/b")));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(server.url("/a") + ": HTTP 503")
                .hasMessageContaining(server.url("/b") + ": HTTP 404");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void stalledBodyTimesOutWithAMessageNamingTheUrl() throws IOException {
        byte[] data = randomBytes(100_000, 10);
        server.route("/stall", FixtureServer.stallAfter(data, 10_000));
        ModelEntry e = entry("slow", ModelKind.CLIP, verified("s.pt", FileRole.WEIGHTS, data, server.url("/stall")));

        // the configured read timeout (400 ms) is the one that fired, not the server's 20 s stall ending
        assertThatThrownBy(() -> downloader(impatient()).download(e, null, null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("timed out")
                .hasMessageContaining("400 ms")
                .hasMessageContaining(server.url("/stall").toString());

        assertThat(cache.isInstalled(e)).isFalse();
        assertThat(leftovers(e)).doesNotContain("s.pt", ModelCache.MARKER);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aStallBeforeAnyDataLeavesNoEmptyPartAndNoUrlFile() throws IOException {
        byte[] data = randomBytes(50_000, 50);
        server.route("/stall0", FixtureServer.stallAfter(data, 0));
        ModelEntry e = entry("stall0", ModelKind.CLIP, sizeOnly("z.pt", FileRole.WEIGHTS, data,
                server.url("/stall0")));

        assertThatThrownBy(() -> downloader(impatient()).download(e, null, null)).hasMessageContaining("timed out");

        // an empty part would pass for an old one next time (and switch off the web-page checks of a fresh start)
        assertThat(leftovers(e)).isEmpty();
    }

    @Test
    void aFailedDownloadKeepsOnlyAPartWithDataAndItsSourceAndTheNextAttemptResumesIt() throws IOException {
        byte[] data = randomBytes(100_000, 51);
        FixtureServer.Behaviour stall = FixtureServer.stallAfter(data, 40_000);
        FixtureServer.Behaviour serve = FixtureServer.file(data, true);
        server.route("/half", (ex, n, s) -> (n == 1 ? stall : serve).respond(ex, n, s));
        ModelEntry e = entry("half", ModelKind.CLIP, sizeOnly("h.pt", FileRole.WEIGHTS, data, server.url("/half")));
        ModelEntry gone = entry("gone", ModelKind.CLIP, sizeOnly("g.pt", FileRole.WEIGHTS, data,
                server.url("/missing")));

        assertThatThrownBy(() -> downloader(impatient()).download(e, null, null)).hasMessageContaining("timed out");
        assertThat(leftovers(e)).containsExactly("h.pt.part", "h.pt.part.url");
        assertThat(cache.partOf(e, e.files().get(0))).hasSize(40_000);
        assertThatThrownBy(() -> downloader(fast()).download(gone, null, null)).hasMessageContaining("HTTP 404");
        assertThat(leftovers(gone)).as("nothing arrived: nothing kept").isEmpty();

        // no checksum is published, so only the recorded source lets the part be resumed
        downloader(fast()).download(e, null, null);
        assertThat(server.requests()).filteredOn(r -> r.path().equals("/half"))
                .extracting(FixtureServer.Request::range).containsExactly(null, "bytes=40000-");
        assertThat(Files.readAllBytes(cache.fileOf(e, e.files().get(0)))).isEqualTo(data);
        assertThat(leftovers(e)).containsExactly("h.pt", ModelCache.MARKER);
    }

    @Test
    void serverThatNeverAnswersTimesOut() {
        server.route("/silent", FixtureServer.stallBeforeHeaders());
        ModelEntry e = entry("silent", ModelKind.CLIP, verified("q.pt", FileRole.WEIGHTS, randomBytes(10, 2),
                server.url("/silent")));

        assertThatThrownBy(() -> downloader(impatient()).download(e, null, null))
                .hasMessageContaining("timed out after 400 ms")
                .hasMessageContaining(server.url("/silent").toString());
    }

    @Test
    void mirrorIsTriedBeforeThePublicHostsByFileName() throws IOException {
        byte[] data = randomBytes(70_000, 11);
        server.route("/mirror/mir.pt", FixtureServer.file(data, true));
        server.route("/public", FixtureServer.file(data, true));
        ModelEntry e = entry("mir", ModelKind.CLIP, verified("mir.pt", FileRole.WEIGHTS, data, server.url("/public")));
        Downloader d = downloader(fast().withMirrors(List.of(server.url("/mirror"))));

        assertThat(d.sources(e.files().get(0))).containsExactly(server.url("/mirror/mir.pt"), server.url("/public"));
        d.download(e, null, null);

        assertThat(server.requests()).extracting(FixtureServer.Request::path).containsExactly("/mirror/mir.pt");
        assertThat(cache.isInstalled(e)).isTrue();
    }

    @Test
    void mirrorsComeFromTheEnvironmentVariable() {
        Downloader.Options o = Downloader.Options.fromEnvironment(Map.of(Downloader.MIRROR_ENV,
                "http://127.0.0.1:9/models/, https://mirror.example/vq"));
        assertThat(o.mirrors()).containsExactly(URI.create("http://127.0.0.1:9/models"),
                URI.create("https://mirror.example/vq"));
        assertThat(Downloader.Options.fromEnvironment(Map.of()).mirrors()).isEmpty();
        assertThatThrownBy(() -> Downloader.parseMirrors("ftp://x/y")).hasMessageContaining("ftp://x/y");
    }

    @Test
    void cancellingStopsTheDownloadAndKeepsOnlyAPart() throws IOException {
        byte[] data = randomBytes(100_000, 12);
        server.route("/stall", FixtureServer.stallAfter(data, 20_000));
        ModelEntry e = entry("cancel", ModelKind.CLIP, verified("c.pt", FileRole.WEIGHTS, data, server.url("/stall")));
        CancelToken token = new CancelToken();
        Downloader d = downloader(fast().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(20)));

        // cancelled, not ended by the 20 s read timeout or the server's 20 s stall
        assertThatThrownBy(() -> d.download(e, p -> {
            if (p.bytes() >= 20_000) {
                token.cancel();
            }
        }, token)).isInstanceOf(DownloadCancelledException.class);

        assertThat(cache.isInstalled(e)).isFalse();
        assertThat(leftovers(e)).doesNotContain("c.pt", ModelCache.MARKER);
    }

    @Test
    void interruptingTheThreadCancels() throws Exception {
        byte[] data = randomBytes(100_000, 13);
        server.route("/stall", FixtureServer.stallAfter(data, 5_000));
        ModelEntry e = entry("intr", ModelKind.CLIP, verified("i.pt", FileRole.WEIGHTS, data, server.url("/stall")));
        Downloader d = downloader(fast().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(20)));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> interruptKept = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                d.download(e, null, null);
            } catch (Throwable ex) {
                failure.set(ex);
                interruptKept.set(Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        while (server.count("/stall") == 0 && t.isAlive()) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        t.interrupt();
        // without the interrupt the download would end by itself, on the 20 s stall or read timeout, with another
        // exception: the exception's type is what tells that the interrupt cancelled it
        t.join();

        assertThat(failure.get()).isInstanceOf(DownloadCancelledException.class);
        assertThat(interruptKept.get()).isTrue();
        assertThat(cache.isInstalled(e)).isFalse();
    }

    @Test
    void downloadIntoAReadOnlyCacheFailsClearlyWithoutRequests() throws IOException {
        Files.createDirectories(cache.root());
        Files.createFile(cache.root().resolve(ModelCache.READ_ONLY_MARKER));
        ModelEntry e = entry("ro", ModelKind.CLIP, verified("ro.pt", FileRole.WEIGHTS, randomBytes(10, 3),
                server.url("/x")));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("read-only")
                .hasMessageContaining(cache.root().toString());
        assertThat(server.requests()).isEmpty();
        assertThat(Files.exists(cache.modelDir(e))).isFalse();
    }

    @Test
    void structureFailureOfAFileWithoutChecksumLeavesNothingInstalled() throws IOException {
        byte[] data = randomBytes(30_000, 14);
        server.route("/f", FixtureServer.file(data, true));
        ModelEntry e = entry("broken", ModelKind.VQGAN, sizeOnly("b.ckpt", FileRole.CKPT, data, server.url("/f")));
        Downloader d = new Downloader(cache, fast(), (entry, files) -> {
            throw new ModelException("b.ckpt does not parse");
        });

        assertThatThrownBy(() -> d.download(e, null, null)).hasMessageContaining("b.ckpt does not parse");
        assertThat(cache.isInstalled(e)).isFalse();
        assertThat(leftovers(e)).doesNotContain("b.ckpt", ModelCache.MARKER);
    }

    @Test
    void checkpointWithoutChecksumIsInstalledOnlyIfItParsesAndFitsItsYaml() throws IOException {
        Path ref = dev.vqclip.testing.Reference.dir();
        byte[] ckpt = Files.readAllBytes(ref.resolve("vqgan_tiny.ckpt"));
        byte[] yaml = Files.readAllBytes(ref.resolve("vqgan_tiny.yaml"));
        byte[] wrongYaml = new String(yaml, java.nio.charset.StandardCharsets.UTF_8)
                .replace("embed_dim: 8", "embed_dim: 256").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server.route("/tiny.ckpt", FixtureServer.file(ckpt, true)).route("/tiny.yaml", FixtureServer.file(yaml, true))
                .route("/wrong.yaml", FixtureServer.file(wrongYaml, true));
        ModelEntry good = entry("tinyvq", ModelKind.VQGAN,
                sizeOnly("tinyvq.ckpt", FileRole.CKPT, ckpt, server.url("/tiny.ckpt")),
                new ModelFile("tinyvq.yaml", FileRole.CONFIG, null, null, null, List.of(server.url("/tiny.yaml")),
                        null));
        ModelEntry bad = entry("misfit", ModelKind.VQGAN,
                sizeOnly("misfit.ckpt", FileRole.CKPT, ckpt, server.url("/tiny.ckpt")),
                new ModelFile("misfit.yaml", FileRole.CONFIG, null, null, null, List.of(server.url("/wrong.yaml")),
                        null));
        Downloader d = new Downloader(cache, fast(), StructureChecks.standard());

        d.download(good, null, null);
        assertThat(cache.isInstalled(good)).isTrue();

        assertThatThrownBy(() -> d.download(bad, null, null))
                .hasMessageContaining("does not fit its yaml")
                .hasMessageContaining("quantize.embedding.weight");
        assertThat(cache.isInstalled(bad)).isFalse();
        assertThat(leftovers(bad)).doesNotContain("misfit.ckpt", "misfit.yaml", ModelCache.MARKER);
    }

    @Test
    void urlEmbeddedChecksumIsEnforcedWhenTheCatalogueHasNone() {
        byte[] data = randomBytes(10_000, 15);
        String wrongSha = Hashing.sha256(randomBytes(10, 16));
        server.route("/clip/" + wrongSha + "/x.pt", FixtureServer.file(data, true));
        ModelEntry e = entry("emb", ModelKind.CLIP, new ModelFile("x.pt", FileRole.WEIGHTS, null, null, null,
                List.of(server.url("/clip/" + wrongSha + "/x.pt")), null));

        assertThatThrownBy(() -> downloader(fast()).download(e, null, null))
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining(wrongSha);
    }

    @Test
    void aSecondDownloadOfAnInstalledModelMakesNoRequests() {
        byte[] data = randomBytes(10_000, 17);
        server.route("/f", FixtureServer.file(data, true));
        ModelEntry e = entry("twice", ModelKind.CLIP, verified("tw.pt", FileRole.WEIGHTS, data, server.url("/f")));
        Downloader d = downloader(fast());
        d.download(e, null, null);
        d.download(e, null, null);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void progressReportsRateAndEta() {
        byte[] data = randomBytes(2_000_000, 18);
        server.route("/f", FixtureServer.file(data, true));
        ModelEntry e = entry("prog", ModelKind.CLIP, verified("pr.pt", FileRole.WEIGHTS, data, server.url("/f")));
        List<DownloadProgress> seen = new ArrayList<>();
        downloader(fast()).download(e, seen::add, null);
        DownloadProgress last = seen.get(seen.size() - 1);
        assertThat(last.fraction()).contains(1.0);
        assertThat(last.source()).isEqualTo(server.url("/f"));
        assertThat(seen).allMatch(p -> p.bytes() <= p.total() && p.bytesPerSecond() >= 0);
    }
}
