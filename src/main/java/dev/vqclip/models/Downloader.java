package dev.vqclip.models;

import dev.vqclip.engine.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads catalogue entries into a {@link ModelCache}.
 *
 * <p>Each file is tried from the configured mirrors first ({@code mirror + "/" + fileName}), then from the catalogue
 * URLs in order; a 404, a 5xx, a timeout, a web page instead of the file or a checksum mismatch moves on to the next
 * source. Data is streamed to {@code <file>.part}; a dropped connection is resumed with an HTTP {@code Range} request
 * (a server answering 200 instead of 206 restarts the file). The finished part is checked (SHA-256 when known, size
 * when known) and renamed into place atomically; the model's {@code installed.json} is written only after every file
 * is in place and the files without a checksum passed the {@link StructureCheck}. So a failed or cancelled download
 * never leaves anything that looks installed.
 *
 * <p>Timeouts: connecting ({@link Options#connectTimeout()}), waiting for the response headers and any silence
 * while reading the body ({@link Options#readTimeout()}). Cancellation: a {@link CancelToken} or an interrupt of the
 * calling thread, checked several times a second.
 *
 * <p>One {@code Downloader} may be shared; {@link #download} blocks its calling thread and uses one helper thread for
 * reading. Two processes downloading the same model into the same cache are kept apart by a file lock.
 */
public final class Downloader {
    /** Environment variable holding mirror base URLs (separated by commas or spaces) tried before public hosts. */
    public static final String MIRROR_ENV = "VQCLIP_MODEL_MIRROR";
    /** The message given when a host answers with HTML instead of the model. */
    public static final String WEB_PAGE = "the host returned a web page, not the model";

    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int SNIFF_BYTES = 64;
    private static final long DISK_MARGIN = 16L << 20;

    /**
     * Settings of a downloader.
     *
     * @param connectTimeout   how long to wait for a TCP/TLS connection
     * @param readTimeout      how long to wait for response headers, and the longest silence while reading the body
     * @param mirrors          base URLs tried before the catalogue's URLs, each serving files by catalogue file name
     * @param maxResumes       how many times one source may be resumed after a dropped connection
     * @param progressInterval how often progress is reported (and cancellation checked)
     */
    public record Options(Duration connectTimeout, Duration readTimeout, List<URI> mirrors, int maxResumes,
                          Duration progressInterval) {
        public Options {
            mirrors = List.copyOf(mirrors);
            if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative()
                    || readTimeout.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
        }

        /** 20 s to connect, 60 s of silence, no mirrors, 5 resumes per source, progress every 250 ms. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(20), Duration.ofSeconds(60), List.of(), 5, Duration.ofMillis(250));
        }

        /** Defaults plus the mirrors named by {@value Downloader#MIRROR_ENV} in {@code env}. */
        public static Options fromEnvironment(Map<String, String> env) {
            return defaults().withMirrors(parseMirrors(env.get(MIRROR_ENV)));
        }

        public Options withMirrors(List<URI> m) {
            return new Options(connectTimeout, readTimeout, m, maxResumes, progressInterval);
        }

        /** @return these options with {@code first} tried before the current mirrors */
        public Options withFirstMirrors(List<URI> first) {
            List<URI> all = new ArrayList<>(first);
            all.addAll(mirrors);
            return withMirrors(all);
        }

        public Options withTimeouts(Duration connect, Duration read) {
            return new Options(connect, read, mirrors, maxResumes, progressInterval);
        }

        public Options withProgressInterval(Duration d) {
            return new Options(connectTimeout, readTimeout, mirrors, maxResumes, d);
        }
    }

    private final ModelCache cache;
    private final Options options;
    private final StructureCheck structureCheck;
    private final HttpClient client;

    /** A downloader with the environment's mirrors and the default structure check. */
    public Downloader(ModelCache cache) {
        this(cache, Options.fromEnvironment(System.getenv()), StructureChecks.standard());
    }

    /**
     * @param cache          where models are installed
     * @param options        timeouts, mirrors, resume limit
     * @param structureCheck run on files without a known SHA-256 before the model is marked installed
     */
    public Downloader(ModelCache cache, Options options, StructureCheck structureCheck) {
        this.cache = cache;
        this.options = options;
        this.structureCheck = structureCheck;
        this.client = HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** @return the settings this downloader uses */
    public Options options() {
        return options;
    }

    /**
     * Parses mirror URLs separated by commas or white space; trailing slashes are dropped.
     *
     * @throws ModelException for a URL that is not http(s)
     */
    public static List<URI> parseMirrors(String spec) {
        List<URI> out = new ArrayList<>();
        if (spec == null) {
            return out;
        }
        for (String s : spec.trim().split("[,\\s]+")) {
            if (s.isEmpty()) {
                continue;
            }
            String t = s.replaceAll("/+$", "");
            URI u;
            try {
                u = URI.create(t);
            } catch (IllegalArgumentException e) {
                throw new ModelException("bad mirror URL '" + s + "': " + e.getMessage());
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new ModelException("bad mirror URL '" + s + "': expected http:// or https://");
            }
            out.add(u);
        }
        return out;
    }

    /** @return the URLs {@code file} is tried from, in order: mirrors first, then the catalogue's URLs */
    public List<URI> sources(ModelFile file) {
        List<URI> out = new ArrayList<>();
        for (URI m : options.mirrors()) {
            out.add(URI.create(m.toString() + "/" + file.fileName()));
        }
        out.addAll(file.urls());
        return out;
    }

    /**
     * Downloads every file of {@code entry} that is not already in place, verifies them and marks the model
     * installed. Requirements ({@link ModelEntry#requires()}) are not fetched here; see
     * {@link Catalogue#withRequirements}.
     *
     * @return the model's folder in the cache
     * @throws DownloadCancelledException when cancelled (the interrupt flag is restored if it was an interrupt)
     * @throws DownloadException          when a file could not be fetched from any source (message lists each)
     * @throws ModelException             when the cache is read-only or the disk is full
     */
    public Path download(ModelEntry entry, ProgressListener listener, CancelToken cancel) {
        ProgressListener l = listener == null ? ProgressListener.none() : listener;
        CancelToken c = cancel == null ? CancelToken.none() : cancel;
        if (cache.isInstalled(entry)) {
            l.onMessage(entry.name() + " is already installed in " + cache.modelDir(entry));
            return cache.modelDir(entry);
        }
        Path dir = cache.prepareDir(entry, "download " + entry.name());
        Path lockFile = dir.resolve(".download.lock");
        boolean owned = false;
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(ch, entry, dir)) {
            owned = lock.isValid();
            Map<String, String> shas = new LinkedHashMap<>();
            List<ModelFile> files = entry.files();
            for (int i = 0; i < files.size(); i++) {
                ModelFile f = files.get(i);
                Path target = cache.fileOf(entry, f);
                Optional<String> existing = alreadyInPlace(f, target);
                if (existing.isPresent()) {
                    l.onMessage(f.fileName() + " is already in the cache");
                    shas.put(f.fileName(), existing.get());
                    continue;
                }
                shas.put(f.fileName(), fetchFile(entry, f, i, files.size(), l, c));
            }
            checkStructure(entry);
            cache.markInstalled(entry, shas);
            l.onMessage(entry.name() + " installed in " + dir);
            return dir;
        } catch (IOException e) {
            throw new ModelException("cannot download " + entry.name() + " into " + dir + ": " + e.getMessage(), e);
        } finally {
            if (owned) {
                try {
                    Files.deleteIfExists(lockFile);
                } catch (IOException ignored) {
                    // a leftover lock file is harmless: the lock is on the open channel, not the file's existence
                }
            }
        }
    }

    private static FileLock tryLock(FileChannel ch, ModelEntry entry, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new ModelException("another download of " + entry.name() + " into " + dir
                    + " is running; wait for it to finish");
        }
        return lock;
    }

    /** @return the SHA-256 of a file already in its final place that verifies, else empty (and it is removed) */
    private Optional<String> alreadyInPlace(ModelFile f, Path target) throws IOException {
        if (!Files.isRegularFile(target)) {
            return Optional.empty();
        }
        if (f.size() != null && Files.size(target) != f.size()) {
            Files.delete(target);
            return Optional.empty();
        }
        String sha = Hashing.sha256(target);
        if (f.sha256() != null && !f.sha256().equals(sha)) {
            Files.delete(target);
            return Optional.empty();
        }
        return Optional.of(sha);
    }

    private void checkStructure(ModelEntry entry) {
        if (entry.files().stream().allMatch(f -> f.knownSha256().isPresent())) {
            return;
        }
        Map<ModelFile, Path> unchecked = new LinkedHashMap<>();
        for (ModelFile f : entry.files()) {
            unchecked.put(f, cache.fileOf(entry, f));
        }
        try {
            structureCheck.check(entry, unchecked);
        } catch (RuntimeException e) {
            // files without a checksum are the ones a structure failure can blame; remove them so nothing stale stays
            for (ModelFile f : entry.files()) {
                if (f.knownSha256().isEmpty()) {
                    try {
                        Files.deleteIfExists(cache.fileOf(entry, f));
                    } catch (IOException ignored) {
                        // best effort; the model is not marked installed either way
                    }
                }
            }
            throw new DownloadException("the downloaded files of " + entry.name() + " failed the structure check: "
                    + e.getMessage(), e);
        }
    }

    /** A failure of one source; the next source is tried. */
    private static final class SourceFailure extends Exception {
        SourceFailure(String message) {
            super(message);
        }
    }

    /** How one HTTP attempt ended when it did not fail outright. */
    private enum Outcome { COMPLETE, DROPPED_WITH_PROGRESS, DROPPED_WITHOUT_PROGRESS, RESTART }

    private String fetchFile(ModelEntry entry, ModelFile f, int index, int count, ProgressListener l,
                             CancelToken cancel) throws IOException {
        Path part = cache.partOf(entry, f);
        Path partSource = part.resolveSibling(part.getFileName() + ".url");
        List<String> failures = new ArrayList<>();
        tidyPart(part, partSource);
        boolean done = false;
        try {
            for (URI src : sources(f)) {
                checkCancelled(cancel, f);
                l.onMessage("fetching " + f.fileName() + " from " + src);
                try {
                    String sha = fetchFrom(entry, f, src, part, partSource, index, count, l, cancel);
                    Files.deleteIfExists(partSource);
                    done = true;
                    return sha;
                } catch (SourceFailure e) {
                    LOG.info("{}: {}", src, e.getMessage());
                    failures.add(src + ": " + e.getMessage());
                    l.onMessage(src + " failed: " + e.getMessage());
                    tidyPart(part, partSource); // an empty part must not pass for an old one on the next source
                }
            }
        } finally {
            if (!done) {
                // failed or cancelled: keep a part with data (and the URL it came from) for resuming, nothing else
                tidyPart(part, partSource);
            }
        }
        StringBuilder msg = new StringBuilder("could not download " + f.fileName() + " of " + entry.name()
                + " from any source:");
        for (String s : failures) {
            msg.append("\n  - ").append(s);
        }
        msg.append("\nIf you have the file, install it by hand: vqclip models import /path/to/").append(f.fileName())
                .append(" --as ").append(entry.name());
        throw new DownloadException(msg.toString());
    }

    /**
     * Removes what cannot help a later attempt: an empty part (a stalled or refused transfer) and a {@code .part.url}
     * without a part to vouch for. Never throws.
     */
    private static void tidyPart(Path part, Path partSource) {
        try {
            if (Files.isRegularFile(part) && Files.size(part) > 0) {
                return;
            }
            Files.deleteIfExists(part);
            Files.deleteIfExists(partSource);
        } catch (IOException e) {
            LOG.debug("cannot tidy {}", part, e);
        }
    }

    private String fetchFrom(ModelEntry entry, ModelFile f, URI src, Path part, Path partSource, int index, int count,
                             ProgressListener l, CancelToken cancel) throws SourceFailure, IOException {
        Optional<String> expectedSha = f.expectedSha256(src);
        // a partial file is resumed only if it provably came from this file: same URL, or a known checksum
        if (Files.exists(part) && expectedSha.isEmpty()) {
            String from = Files.exists(partSource) ? Files.readString(partSource, StandardCharsets.UTF_8) : "";
            if (!from.equals(src.toString())) {
                Files.delete(part);
            }
        }
        boolean usedOldPart = Files.exists(part);
        boolean retriedFromScratch = false;
        int resumes = 0;
        while (true) {
            // written before the part grows, so a part left by a kill always says where it came from
            byte[] url = src.toString().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(partSource, out -> out.write(url));
            Outcome o = attempt(entry, f, src, part, index, count, l, cancel);
            if (o == Outcome.DROPPED_WITH_PROGRESS || o == Outcome.RESTART) {
                if (++resumes > options.maxResumes()) {
                    throw new SourceFailure("the connection kept dropping (" + options.maxResumes()
                            + " resumes); partial data kept in " + part.getFileName());
                }
                l.onMessage("connection to " + src.getHost() + " dropped; resuming " + f.fileName() + " at "
                        + (Files.exists(part) ? Files.size(part) : 0) + " bytes");
                continue;
            }
            if (o == Outcome.DROPPED_WITHOUT_PROGRESS) {
                throw new SourceFailure("the connection closed before any data arrived");
            }
            long got = Files.size(part);
            if (f.size() != null && got < minimumPlausible(f) && resumes == 0 && !usedOldPart) {
                Files.delete(part);
                throw new SourceFailure(WEB_PAGE + " (only " + got + " bytes, expected " + f.size() + ")");
            }
            if (f.size() != null && got < f.size()) {
                if (++resumes > options.maxResumes()) {
                    throw new SourceFailure("the response ended at " + got + " of " + f.size() + " bytes");
                }
                continue;
            }
            if (f.size() != null && got > f.size()) {
                Files.delete(part);
                throw new SourceFailure("got " + got + " bytes but the catalogue says " + f.fileName() + " has "
                        + f.size());
            }
            if (f.approxSize() != null && f.size() == null && got < f.approxSize() / 2) {
                Files.delete(part);
                throw new SourceFailure(WEB_PAGE + " (only " + got + " bytes, expected about " + f.approxSize()
                        + ")");
            }
            String sha = Hashing.sha256(part);
            if (expectedSha.isPresent() && !expectedSha.get().equals(sha)) {
                Files.delete(part);
                if (!retriedFromScratch && (resumes > 0 || usedOldPart)) {
                    // a resumed part may have been stale; give the source one clean try before blaming it
                    retriedFromScratch = true;
                    resumes = 0;
                    continue;
                }
                throw new SourceFailure("checksum mismatch: expected SHA-256 " + expectedSha.get() + " but got "
                        + sha + "; the file was rejected");
            }
            Path target = cache.fileOf(entry, f);
            ModelCache.moveAtomically(part, target);
            return sha;
        }
    }

    private Outcome attempt(ModelEntry entry, ModelFile f, URI src, Path part, int index, int count,
                            ProgressListener l, CancelToken cancel) throws SourceFailure, IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (f.size() != null && have > f.size()) {
            Files.delete(part);
            have = 0;
        }
        if (f.size() != null && have == f.size()) {
            return Outcome.COMPLETE; // a complete part from an earlier run: verify it
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(src)
                .timeout(options.readTimeout())
                .header("User-Agent", "vqclip/0.1 (model manager)")
                .GET();
        if (have > 0) {
            rb.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> resp = send(rb.build(), src, f, cancel);
        InputStream body = resp.body();
        boolean handedOver = false;
        try {
            int status = resp.statusCode();
            HttpHeaders h = resp.headers();
            long length = h.firstValueAsLong("Content-Length").orElse(-1);
            long total;
            boolean append;
            if (status == 206 && have > 0) {
                Matcher m = CONTENT_RANGE.matcher(h.firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    l.onMessage(src.getHost() + " answered a different range; restarting " + f.fileName());
                    Files.deleteIfExists(part);
                    return Outcome.RESTART;
                }
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
                append = true;
            } else if (status == 200) {
                if (have > 0) {
                    l.onMessage(src.getHost() + " does not resume downloads; restarting " + f.fileName());
                    have = 0;
                }
                total = length;
                append = false;
            } else if (status == 416 && have > 0) {
                Files.deleteIfExists(part);
                return Outcome.RESTART;
            } else {
                throw new SourceFailure("HTTP " + status + describeStatus(status));
            }
            String type = h.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            if (type.startsWith("text/html") || type.startsWith("application/xhtml")) {
                throw new SourceFailure(WEB_PAGE + " (Content-Type " + type + ")");
            }
            if (f.size() != null) {
                if (total >= 0 && total != f.size()) {
                    if (total < minimumPlausible(f)) {
                        throw new SourceFailure(WEB_PAGE + " (" + total + " bytes, expected " + f.size() + ")");
                    }
                    throw new SourceFailure("the host offers " + total + " bytes but the catalogue says "
                            + f.fileName() + " has " + f.size());
                }
                total = f.size();
            } else if (status == 200 && total >= 0 && f.approxSize() != null && total < minimumPlausible(f)) {
                throw new SourceFailure(WEB_PAGE + " (" + total + " bytes, expected about " + f.approxSize() + ")");
            }
            if (total > 0) {
                requireDiskSpace(part.getParent(), total - have);
            }
            handedOver = true;
            return copy(entry, f, src, body, part, append, have, total, index, count, l, cancel);
        } finally {
            if (!handedOver) {
                closeQuietly(body);
            }
        }
    }

    private static long minimumPlausible(ModelFile f) {
        long expected = f.size() != null ? f.size() : f.approxSize() != null ? f.approxSize() : 0;
        return expected / 2;
    }

    private static String describeStatus(int status) {
        switch (status) {
            case 401: return " (login required)";
            case 403: return " (forbidden)";
            case 404: return " (not found)";
            case 410: return " (gone)";
            case 429: return " (too many requests: the host is throttling)";
            default: return status >= 500 ? " (server error)" : "";
        }
    }

    private HttpResponse<InputStream> send(HttpRequest req, URI src, ModelFile f, CancelToken cancel)
            throws SourceFailure {
        CompletableFuture<HttpResponse<InputStream>> fut =
                client.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
        long pollMs = Math.max(10, options.progressInterval().toMillis());
        while (true) {
            try {
                return fut.get(pollMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (cancel.isCancelled()) {
                    fut.cancel(true);
                    throw cancelled(f);
                }
            } catch (InterruptedException e) {
                fut.cancel(true);
                Thread.currentThread().interrupt();
                throw cancelled(f);
            } catch (CancellationException e) {
                throw cancelled(f);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof HttpConnectTimeoutException) {
                    throw new SourceFailure("timed out after " + seconds(options.connectTimeout())
                            + " connecting to " + src.getHost());
                }
                if (cause instanceof HttpTimeoutException) {
                    throw new SourceFailure("timed out after " + seconds(options.readTimeout())
                            + " waiting for " + src + " to answer");
                }
                if (cause instanceof ConnectException) {
                    throw new SourceFailure("cannot connect to " + src.getHost() + " (offline, or the host is down)");
                }
                throw new SourceFailure(cause == null ? e.toString() : cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** State shared between the reading thread and the watching (calling) thread. */
    private static final class Transfer {
        final AtomicLong bytes = new AtomicLong();
        final CountDownLatch finished = new CountDownLatch(1);
        volatile Throwable error;
        volatile boolean webPage;
        volatile boolean aborted;
    }

    private Outcome copy(ModelEntry entry, ModelFile f, URI src, InputStream body, Path part, boolean append,
                         long start, long total, int index, int count, ProgressListener l, CancelToken cancel)
            throws SourceFailure {
        Transfer t = new Transfer();
        t.bytes.set(start);
        Thread reader = new Thread(() -> pump(body, part, append, start == 0, t), "vqclip-download-" + f.fileName());
        reader.setDaemon(true);
        reader.start();
        long interval = Math.max(10, options.progressInterval().toMillis());
        long begin = System.nanoTime();
        long lastBytes = start;
        long lastChange = begin;
        double rate = 0;
        long lastRateTime = begin;
        long lastRateBytes = start;
        try {
            while (true) {
                boolean done;
                try {
                    done = t.finished.await(interval, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    abort(t, reader, body);
                    Thread.currentThread().interrupt();
                    throw cancelled(f);
                }
                long now = System.nanoTime();
                long b = t.bytes.get();
                if (now - lastRateTime >= 500_000_000L || done) {
                    double secs = (now - lastRateTime) / 1e9;
                    if (secs > 0) {
                        double r = (b - lastRateBytes) / secs;
                        rate = rate == 0 ? r : 0.7 * rate + 0.3 * r;
                    }
                    lastRateTime = now;
                    lastRateBytes = b;
                }
                Duration eta = total > 0 && rate > 1 ? Duration.ofSeconds((long) ((total - b) / rate)) : null;
                l.onProgress(new DownloadProgress(entry.name(), f.fileName(), index, count, src, b, total, rate, eta));
                if (done) {
                    break;
                }
                if (cancel.isCancelled()) {
                    abort(t, reader, body);
                    throw cancelled(f);
                }
                if (b != lastBytes) {
                    lastBytes = b;
                    lastChange = now;
                } else if (now - lastChange > options.readTimeout().toNanos()) {
                    abort(t, reader, body);
                    throw new SourceFailure("timed out: no data from " + src + " for "
                            + seconds(options.readTimeout()) + " (stalled at " + b + " bytes)");
                }
            }
        } finally {
            closeQuietly(body);
        }
        if (t.webPage) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // the part is not installed and will be replaced on the next try
            }
            throw new SourceFailure(WEB_PAGE + " (the response starts like an HTML document)");
        }
        if (t.error != null) {
            if (t.error instanceof IOException) {
                LOG.debug("transfer from {} ended early", src, t.error);
                return t.bytes.get() > start ? Outcome.DROPPED_WITH_PROGRESS : Outcome.DROPPED_WITHOUT_PROGRESS;
            }
            throw new SourceFailure("reading failed: " + t.error);
        }
        return Outcome.COMPLETE;
    }

    /** Runs on the reading thread: body to part file, watching the first bytes for HTML. */
    private static void pump(InputStream body, Path part, boolean append, boolean sniff, Transfer t) {
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (InputStream in = body;
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     mode)) {
            byte[] buf = new byte[1 << 16];
            byte[] head = new byte[SNIFF_BYTES];
            int headLen = 0;
            boolean sniffing = sniff;
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (t.aborted) {
                    return;
                }
                if (sniffing) {
                    int take = Math.min(n, SNIFF_BYTES - headLen);
                    System.arraycopy(buf, 0, head, headLen, take);
                    headLen += take;
                    if (headLen >= SNIFF_BYTES) {
                        sniffing = false;
                        if (looksLikeHtml(head, headLen)) {
                            t.webPage = true;
                            return;
                        }
                    }
                }
                out.write(buf, 0, n);
                t.bytes.addAndGet(n);
            }
            if (sniffing && looksLikeHtml(head, headLen)) {
                t.webPage = true;
            }
        } catch (Throwable e) {
            if (!t.aborted) {
                t.error = e;
            }
        } finally {
            t.finished.countDown();
        }
    }

    /** @return true if the bytes start (after white space and a BOM) with {@code <!DOCTYPE} or {@code <html} */
    static boolean looksLikeHtml(byte[] head, int len) {
        String s = new String(head, 0, len, StandardCharsets.ISO_8859_1);
        if (s.startsWith("\u00ef\u00bb\u00bf")) {
            s = s.substring(3);
        }
        s = s.stripLeading().toLowerCase(Locale.ROOT);
        return s.startsWith("<!doctype") || s.startsWith("<html") || s.startsWith("<head") || s.startsWith("<body");
    }

    private static void abort(Transfer t, Thread reader, InputStream body) {
        t.aborted = true;
        reader.interrupt();
        closeQuietly(body);
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a body we no longer need
        }
    }

    private static void requireDiskSpace(Path dir, long needed) {
        try {
            Sizes.requireFree(dir, needed, DISK_MARGIN, "the download", ModelException::new);
        } catch (IOException e) {
            LOG.debug("cannot read free space of {}", dir, e);
        }
    }

    private static void checkCancelled(CancelToken cancel, ModelFile f) {
        if (cancel.isCancelled()) {
            throw cancelled(f);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw cancelled(f);
        }
    }

    private static DownloadCancelledException cancelled(ModelFile f) {
        return new DownloadCancelledException("download of " + f.fileName() + " cancelled; partial data is kept in "
                + f.fileName() + ModelCache.PART_SUFFIX + " and the next download resumes it");
    }

    @Override
    public String toString() {
        return "Downloader" + Arrays.asList(cache.root(), options);
    }
}
