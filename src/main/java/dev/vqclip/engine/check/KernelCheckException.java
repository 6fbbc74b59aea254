package dev.vqclip.engine.check;

/** An operation the engine needs computes wrong numbers on this machine, and no alternative is right. */
public class KernelCheckException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, in a form to show the user */
    public KernelCheckException(String message) {
        super(message);
    }
}
