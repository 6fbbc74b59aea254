package dev.vqclip.engine.weights;

/** A model file could not be read or does not fit what is expected of it. The message names the file and the problem. */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
