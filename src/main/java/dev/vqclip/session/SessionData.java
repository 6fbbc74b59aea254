package dev.vqclip.session;

import dev.vqclip.engine.run.Frame;
import dev.vqclip.engine.run.GenerationRequest;
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
 */
public record SessionData(GenerationRequest request, List<PromptRow> promptRows, RunSnapshot current, Frame frame,
                          List<HistoryEntry> history, String branchId, Frame paint, PixelMask mask,
                          Map<String, String> models) {
    /**
     * A prompt row as the user typed it.
     *
     * @param text may be blank while being edited
     * @param weight the weight slider
     * @param stop stop distance, {@code -∞} for none
     */
    public record PromptRow(String text, double weight, double stop) {
        public PromptRow {
            text = text == null ? "" : text;
        }
    }

    public SessionData {
        promptRows = List.copyOf(promptRows);
        history = List.copyOf(history);
        models = Map.copyOf(models);
        branchId = branchId == null ? "b1" : branchId;
    }

    /** @return an empty session */
    public static SessionData empty() {
        return new SessionData(null, List.of(), null, null, List.of(), "b1", null, null, Map.of());
    }
}
