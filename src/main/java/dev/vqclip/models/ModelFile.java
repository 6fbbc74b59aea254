package dev.vqclip.models;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One file of a catalogue entry.
 *
 * @param fileName   the name it has in the cache and on a mirror ({@code mirror + "/" + fileName}); unique in the
 *                   catalogue, no path separators
 * @param role       what the file is
 * @param size       exact size in bytes, or {@code null} when the publisher's size is not known exactly
 * @param approxSize a size for display and for rejecting responses that are far too small, when {@code size} is
 *                   unknown; {@code null} if not even that is known
 * @param sha256     lower-case hex SHA-256, or {@code null} when the publisher gives none (then verification is size
 *                   plus structure)
 * @param urls       where to download it from: the publisher's URL first, then public mirrors
 * @param note       free text (where the size or checksum comes from), may be {@code null}
 */
public record ModelFile(String fileName, FileRole role, Long size, Long approxSize, String sha256, List<URI> urls,
                        String note) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public ModelFile {
        CatalogueIds.requireFileName(fileName);
        if (role == null) {
            throw new IllegalArgumentException(fileName + ": missing role");
        }
        if (size != null && size <= 0) {
            throw new IllegalArgumentException(fileName + ": size must be positive");
        }
        if (approxSize != null && approxSize <= 0) {
            throw new IllegalArgumentException(fileName + ": approxSize must be positive");
        }
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!HEX64.matcher(sha256).matches()) {
                throw new IllegalArgumentException(fileName + ": sha256 must be 64 hex digits");
            }
        }
        urls = List.copyOf(urls == null ? List.of() : urls);
        for (URI u : urls) {
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException(fileName + ": URL " + u + " is not http(s)");
            }
            Optional<String> embedded = shaInUrl(u);
            if (embedded.isPresent() && sha256 != null && !embedded.get().equals(sha256)) {
                throw new IllegalArgumentException(fileName + ": URL " + u + " names SHA-256 " + embedded.get()
                        + " but the catalogue records " + sha256);
            }
        }
    }

    /** @return the size to show: exact if known, else the approximate one, else -1 */
    public long displaySize() {
        return size != null ? size : approxSize != null ? approxSize : -1;
    }

    /**
     * @return the SHA-256 the file must have when fetched from {@code url}: the catalogue's, or else the one the URL
     *         embeds (OpenAI's CLIP URLs put it in the path segment before the file name)
     */
    public Optional<String> expectedSha256(URI url) {
        if (sha256 != null) {
            return Optional.of(sha256);
        }
        return url == null ? Optional.empty() : shaInUrl(url);
    }

    /**
     * @return the SHA-256 this file is known to have: the catalogue's, else one embedded in any of its URLs
     */
    public Optional<String> knownSha256() {
        if (sha256 != null) {
            return Optional.of(sha256);
        }
        return urls.stream().map(ModelFile::shaInUrl).flatMap(Optional::stream).findFirst();
    }

    /** @return the 64-hex path segment just before the last one, if the URL has one */
    static Optional<String> shaInUrl(URI u) {
        String path = u.getPath();
        if (path == null) {
            return Optional.empty();
        }
        String[] parts = path.split("/");
        if (parts.length >= 2) {
            String seg = parts[parts.length - 2].toLowerCase(Locale.ROOT);
            if (HEX64.matcher(seg).matches()) {
                return Optional.of(seg);
            }
        }
        return Optional.empty();
    }
}
