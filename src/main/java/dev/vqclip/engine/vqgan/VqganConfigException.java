package dev.vqclip.engine.vqgan;

/** A VQGAN yaml config is missing a key, has a value of the wrong kind, or describes an unsupported model. */
public class VqganConfigException extends IllegalArgumentException {
    public VqganConfigException(String message) {
        super(message);
    }

    public VqganConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
