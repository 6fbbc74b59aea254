package dev.vqclip.models;

/**
 * Something about getting or using a model went wrong. The message is written for the user: it names the model, the
 * file, the URL or the folder involved and, where there is one, what to do about it.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
