package dev.vqclip.app.run;

import java.util.function.Supplier;

/**
 * Whether a resume or a single step of the paused run may go now: the studio's check may refuse it ("the prompt is
 * empty"), and while an opened image is still being encoded it waits until the run exists. Right before it goes,
 * the hand-over runs (the user's paint). UI thread only.
 */
final class ResumeGate {
    private Supplier<String> check = () -> null;
    private Runnable handOver = () -> { };
    private String lastRefusal;
    /** True from an open until the engine has made the run (it encodes the image first). */
    private boolean opening;
    /** A resume or step asked for while opening, done once the run exists. */
    private Runnable afterOpen;

    void setCheck(Supplier<String> c) {
        check = c == null ? () -> null : c;
    }

    void setHandOver(Runnable r) {
        handOver = r == null ? () -> { } : r;
    }

    /** @return why a resume is refused now (the run shows it as its warning), or null */
    String refusal() {
        String why = check.get();
        if (why != null) {
            lastRefusal = why;
        }
        return why;
    }

    /** @return true when {@code warning} is this gate's last refusal */
    boolean refusedWith(String warning) {
        return lastRefusal != null && lastRefusal.equals(warning);
    }

    /** Runs the hand-over: the resume or step goes to the engine next. */
    void handOver() {
        handOver.run();
    }

    /** An opened image's run is being made: resumes wait for it. */
    void opening() {
        opening = true;
        afterOpen = null;
    }

    /** No run is being opened (any waiting resume is dropped). */
    void stopOpening() {
        opening = false;
        afterOpen = null;
    }

    /** @return true when {@code r} was kept to run once the run being opened exists (false: go now) */
    boolean deferred(Runnable r) {
        if (opening) {
            afterOpen = r;
        }
        return opening;
    }

    /** @return true when a resume was waiting for the opened run and is now called off */
    boolean cancelDeferred() {
        boolean was = opening && afterOpen != null;
        afterOpen = was ? null : afterOpen;
        return was;
    }

    /** The run exists (it halted at its first state): does what was asked meanwhile. */
    void opened() {
        if (opening) {
            Runnable r = afterOpen;
            stopOpening();
            if (r != null) {
                r.run();
            }
        }
    }
}
