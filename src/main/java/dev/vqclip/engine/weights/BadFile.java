package dev.vqclip.engine.weights;

/**
 * A problem found inside a model file, raised by the format readers before they know which file they are reading.
 * The public entry points turn it into a {@link WeightsException} whose message starts with the file name.
 */
final class BadFile extends RuntimeException {
    BadFile(String message) {
        super(message);
    }

    BadFile(String message, Throwable cause) {
        super(message, cause);
    }
}
