package dev.vqclip.runtime;

/** An install or removal of a runtime failed; the message names the file and what to do. */
public class RuntimeInstallException extends RuntimeException {
    public RuntimeInstallException(String message) {
        super(message);
    }

    public RuntimeInstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
