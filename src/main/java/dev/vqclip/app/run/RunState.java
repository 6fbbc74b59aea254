package dev.vqclip.app.run;

/** What the run controls show; derived from the run view-model's facts, never set directly. */
public enum RunState {
    /** nothing running; Start is possible */
    IDLE,
    /** models are loading */
    LOADING,
    /** steps are being taken */
    RUNNING,
    /** Pause was pressed: the step in progress finishes, then the run pauses */
    PAUSING,
    /** a run exists and can resume or step once */
    PAUSED,
    /** the last action failed; the message says why */
    FAILED
}
