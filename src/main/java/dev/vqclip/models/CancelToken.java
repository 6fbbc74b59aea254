package dev.vqclip.models;

/**
 * A flag another thread (a UI button, a shutdown hook) sets to stop a download. The downloader checks it several
 * times a second; interrupting the downloading thread has the same effect. Thread-safe.
 */
public final class CancelToken {
    private volatile boolean cancelled;

    /** @return a token nobody cancels */
    public static CancelToken none() {
        return new CancelToken();
    }

    /** Asks the download to stop; it throws {@link DownloadCancelledException} within a fraction of a second. */
    public void cancel() {
        cancelled = true;
    }

    /** @return whether {@link #cancel()} was called */
    public boolean isCancelled() {
        return cancelled;
    }
}
