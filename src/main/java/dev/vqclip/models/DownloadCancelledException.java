package dev.vqclip.models;

/**
 * The download was cancelled through its {@link CancelToken} or by interrupting the thread. Any partial data stays in
 * a {@code .part} file (never mistaken for an installed file) so that the next attempt resumes.
 */
public class DownloadCancelledException extends DownloadException {
    public DownloadCancelledException(String message) {
        super(message);
    }
}
