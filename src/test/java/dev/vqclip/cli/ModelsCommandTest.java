package dev.vqclip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.vqclip.models.Catalogue;
import dev.vqclip.models.Hashing;
import dev.vqclip.models.ModelCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vqclip models ...} end to end against a loopback server and a test catalogue. */
@Timeout(60)
class ModelsCommandTest {
    @TempDir
    Path tmp;
    HttpServer server;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    final List<String> requested = new CopyOnWriteArrayList<>();
    byte[] weights;
    byte[] vocab;
    Path cache;
    String out;
    String err;

    @BeforeEach
    void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requested.add(ex.getRequestURI().getPath());
            byte[] body = served.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        weights = random(120_000, 1);
        vocab = random(5_000, 2);
        cache = tmp.resolve("cache");
        Path catalogue = writeCatalogue();
        System.setProperty(ModelCache.CACHE_PROPERTY, cache.toString());
        System.setProperty(Catalogue.CATALOGUE_PROPERTY, catalogue.toString());
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
        System.clearProperty(ModelCache.CACHE_PROPERTY);
        System.clearProperty(Catalogue.CATALOGUE_PROPERTY);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        b[0] = 'P';
        return b;
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** A catalogue with a CLIP-like model that requires a vocabulary, both with checksums. */
    private Path writeCatalogue() throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode().put("version", 1);
        ArrayNode models = root.putArray("models");
        ObjectNode clip = models.addObject().put("name", "tinyclip").put("kind", "clip")
                .put("description", "a test model");
        clip.putArray("aliases").add("Tiny/1");
        clip.putArray("requires").add("tinyvocab");
        ObjectNode cf = clip.putArray("files").addObject().put("file", "tinyclip.pt").put("role", "weights")
                .put("size", weights.length).put("sha256", Hashing.sha256(weights));
        cf.putArray("urls").add(url("/public/tinyclip.pt"));
        ObjectNode v = models.addObject().put("name", "tinyvocab").put("kind", "vocab");
        ObjectNode vf = v.putArray("files").addObject().put("file", "tinyvocab.txt.gz").put("role", "vocab")
                .put("size", vocab.length).put("sha256", Hashing.sha256(vocab));
        vf.putArray("urls").add(url("/public/tinyvocab.txt.gz"));
        Path p = tmp.resolve("catalogue.json");
        om.writeValue(p.toFile(), root);
        return p;
    }

    private int run(String... args) {
        CliRun r = CliRun.of(args);
        out = r.out();
        err = r.err();
        return r.code();
    }

    @Test
    void listShowsEveryModelAndWithFilesTheirNamesChecksumsAndUrls() {
        assertThat(run("models", "list")).isZero();
        assertThat(out).contains("Model cache: " + cache).contains("tinyclip").contains("tinyvocab")
                .contains("missing");
        assertThat(run("models", "list", "--files")).isZero();
        assertThat(out).contains("tinyclip.pt").contains("sha256 " + Hashing.sha256(weights))
                .contains(url("/public/tinyclip.pt"));
    }

    @Test
    void downloadWithMirrorFetchesRequirementsFromTheMirrorFirst() {
        served.put("/mirror/tinyclip.pt", weights);
        served.put("/mirror/tinyvocab.txt.gz", vocab);

        assertThat(run("models", "download", "Tiny/1", "--mirror", url("/mirror"), "--quiet")).as(err).isZero();

        assertThat(requested).containsExactly("/mirror/tinyvocab.txt.gz", "/mirror/tinyclip.pt");
        assertThat(out).contains("tinyvocab: installed").contains("tinyclip: installed");
        assertThat(cache.resolve("tinyclip/tinyclip.pt")).hasBinaryContent(weights);
        assertThat(cache.resolve("tinyclip").resolve(ModelCache.MARKER)).exists();

        assertThat(run("models", "list")).isZero();
        assertThat(out).containsPattern("tinyclip .*installed .*" + cache.resolve("tinyclip"));
        assertThat(run("models", "verify")).isZero();
        assertThat(out).contains("OK   tinyclip/tinyclip.pt: SHA-256 matches").contains("all verified");
    }

    @Test
    void downloadShowsAProgressBar() {
        served.put("/public/tinyclip.pt", weights);
        served.put("/public/tinyvocab.txt.gz", vocab);
        assertThat(run("models", "download", "tinyclip")).as(err).isZero();
        assertThat(err).contains("tinyclip.pt").contains("100%").contains("KiB");
    }

    @Test
    void ctrlCKeepsThePartialDownloadAndTheSameCommandFinishesIt() throws Exception {
        served.put("/public/tinyvocab.txt.gz", vocab);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
        // the weights come half at once, the rest only once the test lets them
        server.createContext("/slow/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/slow/tinyclip.pt")) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            ex.sendResponseHeaders(200, weights.length);
            ex.getResponseBody().write(weights, 0, weights.length / 2);
            ex.getResponseBody().flush();
            sent.countDown();
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                ex.getResponseBody().write(weights, weights.length / 2, weights.length - weights.length / 2);
            } catch (InterruptedException | IOException e) {
                // the client went away
            }
            ex.close();
        });
        var running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> CliRun.of("models", "download", "tinyclip", "--mirror", url("/slow"), "--quiet"));
        assertThat(sent.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 500 && partBytes() < weights.length / 2; i++) {
            Thread.sleep(20); // the half arrives
        }
        CtrlC.requestAll();
        CliRun r = running.get();
        release.countDown();
        assertThat(r.code()).as(r.err()).isEqualTo(130);
        assertThat(r.out()).contains("tinyclip: cancelled; what was downloaded is kept in " + cache.resolve("tinyclip")
                + " and the same command resumes it");
        assertThat(partBytes()).as("the partial download is kept").isEqualTo(weights.length / 2);
        assertThat(cache.resolve("tinyclip").resolve(ModelCache.MARKER)).doesNotExist();

        served.put("/public/tinyclip.pt", weights);
        assertThat(run("models", "download", "tinyclip", "--quiet")).as(err).isZero();
        assertThat(cache.resolve("tinyclip/tinyclip.pt")).hasBinaryContent(weights);
    }

    private long partBytes() throws IOException {
        if (!Files.isDirectory(cache)) {
            return 0;
        }
        try (var files = Files.walk(cache)) {
            return files.filter(p -> p.toString().endsWith("tinyclip.pt.part")).mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    @Test
    void failedDownloadExplainsEachSourceAndHowToImport() {
        assertThat(run("models", "download", "tinyvocab", "--quiet")).isEqualTo(1);
        assertThat(err).contains("error: could not download tinyvocab.txt.gz")
                .contains(url("/public/tinyvocab.txt.gz") + ": HTTP 404")
                .contains("vqclip models import /path/to/tinyvocab.txt.gz --as tinyvocab");
        assertThat(cache.resolve("tinyvocab").resolve(ModelCache.MARKER)).doesNotExist();
    }

    @Test
    void importVerifiesCopiesAndInstallsAndRemoveDeletes() throws IOException {
        Path file = Files.write(tmp.resolve("downloaded-by-hand.pt"), weights);
        assertThat(run("models", "import", file.toString(), "--as", "tinyclip")).as(err).isZero();
        assertThat(out).contains("tinyclip: installed");
        assertThat(cache.resolve("tinyclip/tinyclip.pt")).hasBinaryContent(weights);
        assertThat(file).exists();

        assertThat(run("models", "remove", "tinyclip")).isZero();
        assertThat(cache.resolve("tinyclip")).doesNotExist();
        assertThat(requested).isEmpty();
    }

    @Test
    void importOfTheWrongFileIsRefusedAndCopiesNothing() throws IOException {
        Path wrong = Files.write(tmp.resolve("tinyclip.pt"), random(120_000, 9));
        assertThat(run("models", "import", wrong.toString(), "--as", "tinyclip")).isEqualTo(1);
        assertThat(err).contains("refusing to import").contains("SHA-256");
        assertThat(cache.resolve("tinyclip/tinyclip.pt")).doesNotExist();
    }

    @Test
    void verifyFailsOnACorruptedFile() throws IOException {
        Path file = Files.write(tmp.resolve("v.txt.gz"), vocab);
        assertThat(run("models", "import", file.toString(), "--as", "tinyvocab")).isZero();
        byte[] corrupt = vocab.clone();
        corrupt[100] ^= 1;
        Files.write(cache.resolve("tinyvocab/tinyvocab.txt.gz"), corrupt);

        assertThat(run("models", "verify", "tinyvocab")).isEqualTo(1);
        assertThat(out).contains("FAIL tinyvocab/tinyvocab.txt.gz").contains("verification failed");
    }

    @Test
    void readOnlySharedCacheIsListedAndVerifiedButNotChanged() throws IOException {
        Path file = Files.write(tmp.resolve("v.txt.gz"), vocab);
        assertThat(run("models", "import", file.toString(), "--as", "tinyvocab")).isZero();
        Files.createFile(cache.resolve(ModelCache.READ_ONLY_MARKER));

        assertThat(run("models", "list")).isZero();
        assertThat(out).contains("(read-only)").containsPattern("tinyvocab .*installed");
        assertThat(run("models", "verify", "tinyvocab")).isZero();
        assertThat(run("models", "remove", "tinyvocab")).isEqualTo(1);
        assertThat(err).contains("read-only");
        assertThat(run("models", "download", "tinyclip", "--quiet")).isEqualTo(1);
        assertThat(err).contains("read-only");
        assertThat(cache.resolve("tinyvocab/tinyvocab.txt.gz")).exists();
        assertThat(cache.resolve("tinyclip")).doesNotExist();
        assertThat(requested).isEmpty();
    }

    @Test
    void unknownModelIsAnErrorListingTheKnownOnes() {
        assertThat(run("models", "download", "nope")).isEqualTo(1);
        assertThat(err).contains("unknown model 'nope'").contains("tinyclip");
    }
}
