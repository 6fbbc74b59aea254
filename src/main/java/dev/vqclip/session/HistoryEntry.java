package dev.vqclip.session;

import dev.vqclip.engine.run.Frame;
import dev.vqclip.engine.run.RunSnapshot;

import java.util.Objects;

/**
 * One point in a session's history: the run's state at a step, the image it showed, and where it sits in the tree
 * of branches. Entries are never changed once made; "continue from here" starts a new branch whose entries name this
 * one as their parent.
 *
 * @param id unique within the session
 * @param parentId the entry this branch continued from, or null at the root of the first branch
 * @param branchId the branch this entry belongs to
 * @param step the run's step count
 * @param label e.g. "step 150" or "paused at 150"
 * @param createdMillis wall-clock time it was taken
 * @param snapshot the complete run state
 * @param frame the image at that state
 */
public record HistoryEntry(String id, String parentId, String branchId, int step, String label, long createdMillis,
                           RunSnapshot snapshot, Frame frame) {
    /** Thumbnails are at most this many pixels on their longer side. */
    public static final int THUMBNAIL_SIDE = 96;

    public HistoryEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(branchId, "branchId");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(frame, "frame");
        label = label == null ? "step " + step : label;
    }

    /** @return a small copy of the frame for history strips */
    public Frame thumbnail() {
        return Images.thumbnail(frame, THUMBNAIL_SIDE);
    }
}
