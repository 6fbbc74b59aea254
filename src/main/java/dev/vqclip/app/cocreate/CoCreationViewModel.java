package dev.vqclip.app.cocreate;

import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.history.HistoryViewModel;
import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.paint.PaintedImage;
import dev.vqclip.app.prompt.PromptViewModel;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.run.RunViewModel;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.session.SessionData;
import javafx.beans.binding.Bindings;

import java.util.List;
import java.util.function.Supplier;

/**
 * Co-creation between the user and the run: when the brush may paint (and why not), the mask and "keep unmasked
 * pixels" going to the run, the paint handed to the engine on resume, select by text and "replace with". It drives
 * the run only through {@link RunViewModel}'s commands.
 */
public final class CoCreationViewModel {
    private final PaintViewModel paint;
    private final RunViewModel run;
    private final HistoryViewModel history;
    private final PromptViewModel prompts;
    private final StudioStatus status;
    /** Starts a run from the editor (Generate). */
    private final Runnable start;
    /** The live run's newest frame, or null. */
    private final Supplier<Frame> liveFrame;

    public CoCreationViewModel(PaintViewModel paint, RunViewModel run, HistoryViewModel history,
                               PromptViewModel prompts, StudioStatus status, Runnable start,
                               Supplier<Frame> liveFrame) {
        this.paint = paint;
        this.run = run;
        this.history = history;
        this.prompts = prompts;
        this.status = status;
        this.start = start;
        this.liveFrame = liveFrame;
        paint.paintAllowedProperty().bind(Bindings.createBooleanBinding(
                () -> paintRefusal().isEmpty(), run.stateProperty(), history.selectedProperty()));
        paint.paintRefusalProperty().bind(Bindings.createStringBinding(this::paintRefusal, run.stateProperty(),
                history.selectedProperty()));
        paint.latentMaskProperty().addListener((o, a, m) -> {
            run.live().setMask(m);
            status.markDirty();
        });
        paint.keepUnmaskedPixelsProperty().addListener((o, a, keep) -> {
            run.live().setKeepUnmaskedPixels(keep);
            status.markDirty();
        });
        run.setBeforeResume(this::handPaintToEngine);
        // the paused run keeps its last prompt, but the editor shows none: going on would not be what is shown
        run.setResumeCheck(() -> prompts.prompts().isEmpty()
                ? "the prompt is empty: type what to generate before resuming (Edit ▸ Undo brings back an edit)"
                : null);
    }

    /** @return why the brush cannot paint now, or "" when it can */
    private String paintRefusal() {
        if (history.selectedProperty().get() != null) {
            return "a history snapshot is shown: press Esc for the live image, or Continue from here to paint on it";
        }
        return switch (run.getState()) {
            case RUNNING, PAUSING -> "pause the run to paint (the mask brush works while running)";
            case LOADING -> "the models are loading: paint once they are ready";
            default -> "";
        };
    }

    /** On resume: the engine gets a copy of the painted image and writes it into z before the next step. */
    private void handPaintToEngine() {
        // handing paint over takes its strokes out of the edit history (they are in z now)
        PaintedImage e = paint.takeEdit(liveFrame.get());
        if (e != null) {
            run.live().applyPaint(e.edited(), e.painted(), n -> status.notice("paint written into " + n
                    + " latent cells"));
        }
    }

    /** Scores the phrase typed in "select" over the current image on the engine thread and shows the heat map. */
    public void selectByText() {
        String phrase = paint.byText().selectPhrase().get();
        if (phrase == null || phrase.isBlank()) {
            status.notice("type what to select, e.g. \"the dog\"");
            return;
        }
        status.busy(true);
        status.notice("looking for \"" + phrase.strip() + "\"…");
        run.live().selectByText(phrase, h -> {
            status.busy(false);
            paint.byText().heat().set(h);
            status.notice("heat map of \"" + phrase.strip() + "\": move the threshold, then Accept");
        }, e -> {
            status.busy(false);
            status.error("select failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        });
    }

    /**
     * "Replace with …": accepts a shown heat map as the mask, makes the phrase the only prompt and resumes (or starts
     * when there is no run).
     */
    public void replaceWith() {
        String phrase = paint.byText().replacePhrase().get();
        if (phrase == null || phrase.isBlank()) {
            status.notice("type what to put there, e.g. \"a cat\"");
            return;
        }
        if (paint.byText().heat().get() != null) {
            paint.acceptHeat();
        }
        prompts.setRows(List.of(new SessionData.PromptRow(phrase.strip(), 1.0, Double.NEGATIVE_INFINITY)));
        if (run.getState() == RunState.PAUSED) {
            run.resume();
        } else if (run.getState() != RunState.RUNNING && run.getState() != RunState.PAUSING) {
            start.run();
        }
    }
}
