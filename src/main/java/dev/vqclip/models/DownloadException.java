package dev.vqclip.models;

/** A download failed on every source it was tried from; the message lists each URL and why it failed. */
public class DownloadException extends ModelException {
    public DownloadException(String message) {
        super(message);
    }

    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
