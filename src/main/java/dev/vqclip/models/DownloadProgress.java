package dev.vqclip.models;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A progress report of one file being downloaded.
 *
 * @param model          the catalogue entry's name
 * @param fileName       the file being fetched
 * @param fileIndex      0-based index of the file within the entry
 * @param fileCount      how many files the entry has
 * @param source         the URL being read
 * @param bytes          bytes on disk so far (including a resumed part)
 * @param total          expected total, or -1 when unknown
 * @param bytesPerSecond recent transfer rate (0 before the first measurement)
 * @param eta            estimated time left, or {@code null} when it cannot be estimated
 */
public record DownloadProgress(String model, String fileName, int fileIndex, int fileCount, URI source, long bytes,
                               long total, double bytesPerSecond, Duration eta) {
    /** @return the fraction done in [0, 1], or empty when the total is unknown */
    public Optional<Double> fraction() {
        return total > 0 ? Optional.of(Math.min(1.0, bytes / (double) total)) : Optional.empty();
    }
}
