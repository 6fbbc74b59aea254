package dev.vqclip.models;

/**
 * Receives download progress. Called on the thread that called {@link Downloader#download}, a few times a second
 * and once when a file completes; implementations that update a UI must hand the value over to the UI thread.
 */
@FunctionalInterface
public interface ProgressListener {
    void onProgress(DownloadProgress progress);

    /** A human-readable event: which URL is tried, a resume, a fallback to the next mirror. */
    default void onMessage(String message) {
    }

    /** @return a listener that ignores everything */
    static ProgressListener none() {
        return p -> {
        };
    }
}
