package dev.vqclip.app.core;

/** Receives progress of slow work (model loading); called from the engine thread. */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param fraction 0..1, or -1 when unknown
     * @param message what is happening, e.g. "reading vqgan.ckpt"
     */
    void update(double fraction, String message);
}
