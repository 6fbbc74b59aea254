package dev.vqclip.session;

import dev.vqclip.engine.guide.PromptSpan;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.run.RunSnapshot;

import java.util.List;
import java.util.Map;

/**
 * Everything a studio session keeps, as plain immutable-by-convention data (arrays are not copied; treat them as
 * read-only).
 *
 * @param request the prompts and settings in the editor as a request, or null when the editor has no valid prompt
 * @param promptRows the prompt rows as typed (text may be blank), so an unfinished edit survives a save
 * @param current the current run's state, or null before the first run
 * @param frame the image on the canvas, or null
 * @param history snapshots in the order they were taken (all branches)
 * @param branchId the branch new history entries go to
 * @param paint the user's paint layer (ARGB, transparent where unpainted), or null
 * @param mask the user's mask layer, or null
 * @param models model file name → sha256 of the models the run used
 * @param losses the loss chart: one curve per branch, in the order the branches were made (since version 3)
 * @param animation the studio's animation, or null (since version 4)
 */
public record SessionData(GenerationRequest request, List<PromptRow> promptRows, RunSnapshot current, Frame frame,
                          List<HistoryEntry> history, String branchId, Frame paint, PixelMask mask,
                          Map<String, String> models, List<LossCurve> losses, SessionAnimation animation) {
    /**
     * A prompt row as the user typed it.
     *
     * @param text may be blank while being edited
     * @param weight the weight slider
     * @param stop stop distance, {@code -∞} for none
     * @param negative true for the negative-prompt field: its text holds one negative prompt per line (see the
     *        studio's prompt model), and {@code weight} is not used
     * @param span the steps the prompt acts in ({@link PromptSpan#ALWAYS} for all)
     */
    public record PromptRow(String text, double weight, double stop, boolean negative, PromptSpan span) {
        public PromptRow {
            text = text == null ? "" : text;
            span = span == null ? PromptSpan.ALWAYS : span;
        }

        /** A row acting at every step. */
        public PromptRow(String text, double weight, double stop, boolean negative) {
            this(text, weight, stop, negative, PromptSpan.ALWAYS);
        }

        /** A row of the positive prompts acting at every step. */
        public PromptRow(String text, double weight, double stop) {
            this(text, weight, stop, false);
        }
    }

    /**
     * The losses one branch of the session went through, as the loss chart shows them.
     *
     * @param branchId the branch ({@link HistoryEntry#branchId()})
     * @param name what the chart calls it, e.g. "b2 from step 40"
     * @param steps the step of each point, in the order taken
     * @param values the loss after that step, finite
     */
    public record LossCurve(String branchId, String name, int[] steps, double[] values) {
        public LossCurve {
            if (steps.length != values.length) {
                throw new IllegalArgumentException("loss curve of " + branchId + ": " + steps.length + " steps but "
                        + values.length + " values");
            }
            name = name == null ? branchId : name;
        }
    }

    public SessionData {
        promptRows = List.copyOf(promptRows);
        history = List.copyOf(history);
        models = Map.copyOf(models);
        branchId = branchId == null ? "b1" : branchId;
        losses = losses == null ? List.of() : List.copyOf(losses);
    }

    /** A session without an animation (as version-3 files hold). */
    public SessionData(GenerationRequest request, List<PromptRow> promptRows, RunSnapshot current, Frame frame,
                       List<HistoryEntry> history, String branchId, Frame paint, PixelMask mask,
                       Map<String, String> models, List<LossCurve> losses) {
        this(request, promptRows, current, frame, history, branchId, paint, mask, models, losses, null);
    }

    /** A session without loss curves (as version-2 files hold). */
    public SessionData(GenerationRequest request, List<PromptRow> promptRows, RunSnapshot current, Frame frame,
                       List<HistoryEntry> history, String branchId, Frame paint, PixelMask mask,
                       Map<String, String> models) {
        this(request, promptRows, current, frame, history, branchId, paint, mask, models, List.of());
    }

    /** @return an empty session */
    public static SessionData empty() {
        return new SessionData(null, List.of(), null, null, List.of(), "b1", null, null, Map.of());
    }

    /**
     * @return the latent grid of the session's run (the current one, else the newest history entry's), or null when
     *         there is none or its latent does not divide its image size evenly: the grid is known without the engine
     */
    public LatentGrid latentGrid() {
        RunSnapshot s = current;
        if (s == null && !history.isEmpty()) {
            s = history.get(history.size() - 1).snapshot();
        }
        return s == null ? null : s.latentGrid();
    }
}
