package dev.vqclip.runtime;

import dev.vqclip.models.CancelToken;
import dev.vqclip.models.DownloadCancelledException;
import dev.vqclip.models.DownloadException;
import dev.vqclip.models.Downloader;
import dev.vqclip.models.FileRole;
import dev.vqclip.models.Hashing;
import dev.vqclip.models.ModelCache;
import dev.vqclip.models.ModelEntry;
import dev.vqclip.models.ModelException;
import dev.vqclip.models.ModelFile;
import dev.vqclip.models.ModelKind;
import dev.vqclip.models.ProgressListener;
import dev.vqclip.models.Sizes;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Installs a libtorch build into the folder DJL reads ({@link RuntimeLayout#folder}).
 *
 * <p>Sources are base URLs laid out like DJL's server ({@link RuntimeLayout#DEFAULT_SOURCE}): the mirrors first, then
 * DJL's server. From the first source that has it, {@code <base>/<version>/files.txt} lists the compressed libraries
 * ({@code cu128/linux-x86_64/native/lib/libtorch.so.gz}, one per line). If a source also serves
 * {@code <base>/<version>/files.sha256} (the output of {@code sha256sum} over the listed {@code .gz} paths, run in the
 * version folder), every listed file must have a line there and must match it. Each file is fetched by the model
 * manager's {@link Downloader} (progress, resume with HTTP ranges, timeouts, cancellation, web-page detection, the
 * next source on failure) into a hidden download area, then gunzipped (gzip's CRC-32 and length are always checked)
 * into a staging folder, which is moved into place in one rename. The manifest, with each file's size and SHA-256, is
 * written last: an install cut short at any point never looks installed.
 */
public final class RuntimeInstaller {
    /** Mirrors of DJL's server for runtimes (commas or spaces between URLs), tried before it. */
    public static final String MIRROR_ENV = "VQCLIP_RUNTIME_MIRROR";
    static final String FILE_LIST = "files.txt";
    static final String CHECKSUM_LIST = "files.sha256";

    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    private static final long DISK_MARGIN = 64L << 20;
    private static final String OFFLINE_HINT = "Offline, or behind a firewall: pass --mirror URL (a copy of "
            + RuntimeLayout.DEFAULT_SOURCE + "), or point PYTORCH_LIBRARY_PATH to a libtorch "
            + RuntimeLayout.TORCH_VERSION + " folder you have (docs/gpu.md).";

    private final RuntimeLayout layout;
    private final Downloader.Options options;

    /**
     * @param layout  where runtimes are installed
     * @param options the downloader's timeouts and progress interval; its model mirrors are not used (runtime mirrors
     *                are passed to {@link #install})
     */
    public RuntimeInstaller(RuntimeLayout layout, Downloader.Options options) {
        this.layout = layout;
        this.options = options.withMirrors(List.of());
    }

    /** @return the layout */
    public RuntimeLayout layout() {
        return layout;
    }

    /**
     * @param requested mirrors named on the command line or in the studio
     * @param env       the environment ({@value #MIRROR_ENV})
     * @return the base URLs to try, in order: {@code requested}, the environment's, DJL's server
     */
    public static List<URI> sources(List<URI> requested, Map<String, String> env) {
        List<URI> out = new ArrayList<>(requested);
        out.addAll(Downloader.parseMirrors(env.get(MIRROR_ENV)));
        out.add(RuntimeLayout.DEFAULT_SOURCE);
        return out;
    }

    /** @return the manifest if the flavor is installed completely (manifest present, every file with its size) */
    public Optional<RuntimeManifest> installed(RuntimeFlavor f) {
        Optional<RuntimeManifest> m = RuntimeManifest.read(layout.manifest(f));
        return m.filter(x -> x.problem(layout.folder(f)).isEmpty());
    }

    /**
     * Installs {@code flavor} unless it is already installed.
     *
     * @param sources base URLs, tried in order (see {@link #sources})
     * @return the runtime folder
     * @throws RuntimeInstallException      naming the file and the reason (no source had it, checksum mismatch, a
     *                                      corrupt archive, disk full, a read-only cache)
     * @throws DownloadCancelledException when cancelled (what was downloaded is kept for resuming)
     */
    public Path install(RuntimeFlavor flavor, List<URI> sources, ProgressListener listener, CancelToken cancel) {
        ProgressListener l = listener == null ? ProgressListener.none() : listener;
        CancelToken c = cancel == null ? CancelToken.none() : cancel;
        if (!flavor.supports(layout.classifier())) {
            throw new RuntimeInstallException("there is no " + flavor.id() + " build of PyTorch "
                    + RuntimeLayout.TORCH_VERSION + " for " + layout.classifier() + " (only for "
                    + String.join(", ", flavor.classifiers()) + ")");
        }
        Path folder = layout.folder(flavor);
        if (installed(flavor).isPresent()) {
            l.onMessage("the " + flavor.id() + " runtime is already installed in " + folder);
            return folder;
        }
        ModelCache downloads = new ModelCache(layout.downloads());
        Downloader dl = new Downloader(downloads, options, (e, files) -> { });
        String id = layout.id(flavor);
        try {
            Listing listing = fetchListing(dl, downloads, flavor, sources, l, c);
            ModelEntry entry = entry("libtorch-" + id, listing, sources);
            l.onMessage("downloading " + entry.files().size() + " files into " + layout.downloads());
            Path gzDir = dl.download(entry, l, c);
            Path staging = unpack(flavor, entry, downloads, gzDir, l);
            List<RuntimeManifest.Link> links = addCudartLink(staging, listing.files);
            RuntimeManifest manifest = new RuntimeManifest(flavor.djlFlavor(), RuntimeLayout.TORCH_VERSION,
                    layout.classifier(), listing.source.toString(),
                    listing.checksums == null ? null : listing.checksums.toString(),
                    hashes(staging, listing.files), links);
            moveIntoPlace(staging, folder);
            manifest.write(layout.manifest(flavor));
            downloads.remove(entry); // the compressed copies are not needed any more
            l.onMessage("installed the " + flavor.id() + " runtime (" + Sizes.human(manifest.totalSize()) + ") in "
                    + folder);
            return folder;
        } catch (DownloadCancelledException e) {
            throw e;
        } catch (DownloadException e) {
            String m = e.getMessage();
            int hint = m.indexOf("\nIf you have the file");
            throw new RuntimeInstallException((hint > 0 ? m.substring(0, hint) : m) + "\n" + OFFLINE_HINT, e);
        } catch (ModelException e) {
            throw new RuntimeInstallException(e.getMessage().replace("VQCLIP_CACHE", "DJL_CACHE_DIR"), e);
        } catch (IOException e) {
            throw new RuntimeInstallException(describe(e, layout.cache()), e);
        }
    }

    /**
     * Removes an installed runtime: the manifest first (so it stops counting as installed), then the folder.
     *
     * @return whether anything was there
     */
    public boolean remove(RuntimeFlavor flavor) {
        Path folder = layout.folder(flavor);
        Path manifest = layout.manifest(flavor);
        boolean any = Files.exists(manifest) || Files.exists(folder);
        try {
            Files.deleteIfExists(manifest);
            deleteTree(folder);
            deleteTree(layout.staging(flavor));
        } catch (IOException e) {
            throw new RuntimeInstallException(describe(e, layout.cache()), e);
        }
        return any;
    }

    /** The file list of one source. */
    record Listing(URI source, URI checksums, List<String> files, Map<String, String> sha256s) {
    }

    /** Reads files.txt from the first source that has it (and files.sha256 when that source serves one). */
    private Listing fetchListing(Downloader dl, ModelCache downloads, RuntimeFlavor flavor, List<URI> sources,
                                 ProgressListener l, CancelToken c) throws IOException {
        String version = RuntimeLayout.TORCH_VERSION;
        List<String> failures = new ArrayList<>();
        URI from = null;
        String text = null;
        for (URI s : sources) {
            Optional<String> got = fetchText(dl, downloads, "index-" + version, FILE_LIST, s, l, c, failures);
            if (got.isPresent()) {
                from = s;
                text = got.get();
                break;
            }
        }
        if (text == null) {
            throw new RuntimeInstallException("no source had " + version + "/" + FILE_LIST + ":\n  - "
                    + String.join("\n  - ", failures) + "\n" + OFFLINE_HINT);
        }
        String prefix = layout.remotePrefix(flavor);
        List<String> files = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String t = line.trim();
            if (t.startsWith(prefix) && t.endsWith(".gz") && t.indexOf('/', prefix.length()) < 0) {
                files.add(t);
            }
        }
        if (files.stream().noneMatch(p -> libraryName(p).equals(layout.torchLibrary()))) {
            throw new RuntimeInstallException(from + "/" + version + "/" + FILE_LIST + " lists no " + prefix
                    + layout.torchLibrary() + ".gz: no " + flavor.id() + " build of PyTorch " + version + " for "
                    + layout.classifier() + " there");
        }
        for (String p : files) {
            String name = libraryName(p);
            if (!SAFE.matcher(name).matches() || name.contains("..")) {
                throw new RuntimeInstallException(FILE_LIST + " lists an unsafe file name: " + p);
            }
        }
        Map<String, String> sums = new LinkedHashMap<>();
        URI sumsFrom = null;
        Optional<String> sumText = fetchText(dl, downloads, "sums-" + version, CHECKSUM_LIST, from, l, c,
                new ArrayList<>());
        if (sumText.isPresent()) {
            sums = parseChecksums(sumText.get());
            sumsFrom = URI.create(from + "/" + version + "/" + CHECKSUM_LIST);
            for (String p : files) {
                if (!sums.containsKey(p)) {
                    throw new RuntimeInstallException(sumsFrom + " has no checksum for " + p
                            + "; refusing to install files the checksum list does not vouch for");
                }
            }
            l.onMessage("checking every file against " + sumsFrom);
        } else {
            l.onMessage(from + " publishes no " + CHECKSUM_LIST + "; each file is checked by gzip's CRC-32 and"
                    + " length, and its SHA-256 is recorded");
        }
        l.onMessage(files.size() + " files of the " + flavor.id() + " runtime listed by " + from);
        return new Listing(from, sumsFrom, files, sums);
    }

    /** @return a small text file of one source, fetched afresh by the downloader, or empty (failure recorded) */
    private static Optional<String> fetchText(Downloader dl, ModelCache downloads, String name, String file, URI source,
                                              ProgressListener l, CancelToken c, List<String> failures)
            throws IOException {
        URI url = URI.create(source + "/" + RuntimeLayout.TORCH_VERSION + "/" + file);
        // ModelKind/FileRole only label the download area's own bookkeeping
        ModelEntry e = new ModelEntry(name, ModelKind.VOCAB, List.of(), "runtime file list", List.of(),
                List.of(new ModelFile(file, FileRole.CONFIG, null, null, null, List.of(url), null)));
        downloads.remove(e); // never trust an old listing
        try {
            Path dir = dl.download(e, quiet(l), c);
            return Optional.of(Files.readString(dir.resolve(file), StandardCharsets.UTF_8));
        } catch (DownloadCancelledException ex) {
            throw ex;
        } catch (DownloadException ex) {
            failures.add(url + ": " + lastReason(ex.getMessage()));
            return Optional.empty();
        } finally {
            downloads.remove(e);
        }
    }

    /** @return the downloader's reason for one source (its message lists them as "  - url: reason") */
    private static String lastReason(String message) {
        for (String line : message.split("\\R")) {
            String t = line.strip();
            if (t.startsWith("- ")) {
                int i = t.indexOf(": ", 2);
                return i > 0 ? t.substring(i + 2) : t.substring(2);
            }
        }
        return message;
    }

    private static ProgressListener quiet(ProgressListener l) {
        return new ProgressListener() {
            @Override
            public void onProgress(dev.vqclip.models.DownloadProgress p) {
                // the lists are a few kilobytes
            }

            @Override
            public void onMessage(String m) {
                if (m.contains(" failed: ")) {
                    l.onMessage(m);
                }
            }
        };
    }

    /**
     * Parses a {@code sha256sum} listing: {@code <64 hex> <space><space or *><path>} per line; blank lines and
     * {@code #} comments are skipped.
     *
     * @throws RuntimeInstallException for a malformed line
     */
    static Map<String, String> parseChecksums(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] parts = t.split("\\s+", 2);
            if (parts.length != 2 || !HEX64.matcher(parts[0]).matches()) {
                throw new RuntimeInstallException(CHECKSUM_LIST + ": malformed line '" + t
                        + "' (expected '<sha256>  <path>')");
            }
            String path = parts[1].startsWith("*") ? parts[1].substring(1) : parts[1];
            out.put(path.replaceFirst("^\\./", ""), parts[0].toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static ModelEntry entry(String name, Listing listing, List<URI> sources) {
        List<ModelFile> files = new ArrayList<>();
        List<URI> order = new ArrayList<>();
        order.add(listing.source); // the source that listed the files first, then the others
        sources.stream().filter(s -> !s.equals(listing.source)).forEach(order::add);
        for (String p : listing.files) {
            List<URI> urls = new ArrayList<>();
            for (URI s : order) {
                urls.add(URI.create(s + "/" + RuntimeLayout.TORCH_VERSION + "/" + p));
            }
            String gz = p.substring(p.lastIndexOf('/') + 1);
            files.add(new ModelFile(gz, FileRole.WEIGHTS, null, null, listing.sha256s.get(p), urls, null));
        }
        return new ModelEntry(name.toLowerCase(Locale.ROOT), ModelKind.VQGAN, List.of(), "libtorch runtime",
                List.of(), files);
    }

    /** @return the library's name: the listed path's last segment, without {@code .gz}, URL-decoded */
    static String libraryName(String listedPath) {
        String gz = listedPath.substring(listedPath.lastIndexOf('/') + 1);
        return URLDecoder.decode(gz.substring(0, gz.length() - 3), StandardCharsets.UTF_8);
    }

    private Path unpack(RuntimeFlavor flavor, ModelEntry entry, ModelCache downloads, Path gzDir, ProgressListener l)
            throws IOException {
        Path staging = layout.staging(flavor);
        deleteTree(staging);
        long need = 0;
        for (ModelFile f : entry.files()) {
            need += gzipLength(gzDir.resolve(f.fileName()));
        }
        requireSpace(layout.cache(), need);
        Files.createDirectories(staging);
        int i = 0;
        for (ModelFile f : entry.files()) {
            i++;
            Path gz = gzDir.resolve(f.fileName());
            String name = libraryName(f.fileName());
            l.onMessage("unpacking " + f.fileName() + " (" + i + "/" + entry.files().size() + ")");
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16);
                 OutputStream out = Files.newOutputStream(staging.resolve(name))) {
                in.transferTo(out);
            } catch (ZipException | EOFException e) {
                // the archive is damaged: drop it (and the record that it was downloaded) so the next try fetches it
                downloads.remove(entry);
                deleteTree(staging);
                throw new RuntimeInstallException(f.fileName() + " is damaged (gzip check failed: " + e.getMessage()
                        + "); it was removed, run the install again to download it again", e);
            } catch (IOException e) {
                deleteTree(staging);
                throw e;
            }
        }
        return staging;
    }

    /** @return gzip's record of the uncompressed length (modulo 2^32), for the disk-space check */
    private static long gzipLength(Path gz) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(gz.toFile(), "r")) {
            if (raf.length() < 18) {
                return 0;
            }
            raf.seek(raf.length() - 4);
            byte[] b = new byte[4];
            raf.readFully(b);
            return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        }
    }

    private static void requireSpace(Path dir, long needed) {
        try {
            Sizes.requireFree(dir, needed, DISK_MARGIN, "unpacking the runtime", RuntimeInstallException::new);
        } catch (IOException e) {
            // an unknown free space is not a reason to refuse; a full disk still fails with its own message
        }
    }

    private static List<RuntimeManifest.Entry> hashes(Path staging, List<String> listed) throws IOException {
        List<RuntimeManifest.Entry> out = new ArrayList<>();
        for (String p : listed) {
            Path f = staging.resolve(libraryName(p));
            out.add(new RuntimeManifest.Entry(f.getFileName().toString(), Files.size(f), Hashing.sha256(f)));
        }
        return out;
    }

    /**
     * DJL counts GPUs by loading {@code libcudart} by that name (JNA), but libtorch's bundle names it
     * {@code libcudart-<hash>.so.<major>}. A {@code libcudart.so} link beside it lets DJL find it once the folder is on
     * {@code jna.library.path} (see {@link NativeRuntime}). DJL also loads the link as a library; the loader sees it
     * is the same file.
     */
    private static List<RuntimeManifest.Link> addCudartLink(Path staging, List<String> listed) throws IOException {
        List<String> names = listed.stream().map(RuntimeInstaller::libraryName).toList();
        if (names.stream().anyMatch(n -> n.equals("libcudart.so") || n.startsWith("libcudart.so."))) {
            return List.of();
        }
        Optional<String> hashed = names.stream().filter(n -> n.startsWith("libcudart-") && n.contains(".so"))
                .findFirst();
        if (hashed.isEmpty()) {
            return List.of();
        }
        Path link = staging.resolve("libcudart.so");
        try {
            Files.createSymbolicLink(link, Path.of(hashed.get()));
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(staging.resolve(hashed.get()), link);
        }
        return List.of(new RuntimeManifest.Link("libcudart.so", hashed.get()));
    }

    /** Moves the staging folder to {@code folder} in one rename, replacing whatever was there (no manifest yet). */
    private void moveIntoPlace(Path staging, Path folder) throws IOException {
        if (Files.exists(folder)) {
            // an older, unrecorded folder (DJL's own download, or one whose manifest was lost): set it aside first
            Path old = folder.resolveSibling(".vqclip-old-" + folder.getFileName() + "-" + System.nanoTime());
            Files.move(folder, old, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        }
        try {
            Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new RuntimeInstallException("cannot move " + staging + " to " + folder + " in one step: "
                    + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return a message for an I/O failure that says what to do (disk full, read-only) */
    static String describe(IOException e, Path cache) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("No space left") || m.contains("not enough space") || m.contains("disk full")) {
            return "the disk holding " + cache + " is full (" + m + "); free some space or point DJL_CACHE_DIR to"
                    + " another disk";
        }
        if (e instanceof AccessDeniedException || m.contains("Read-only file system")) {
            return cache + " is not writable (" + m + "); point DJL_CACHE_DIR to a writable folder";
        }
        return "cannot install the runtime in " + cache + ": " + e;
    }
}
