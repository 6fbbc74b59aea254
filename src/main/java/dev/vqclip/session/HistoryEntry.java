package dev.vqclip.session;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.run.RunSnapshot;

import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One point in a session's history: the run's state at a step, the image it showed, the user's layers at that
 * moment, and where it sits in the tree of branches. Entries are never changed once made; "continue from here"
 * starts a new branch whose entries name this one as their parent.
 *
 * @param id unique within the session
 * @param parentId the entry this branch continued from, or null at the root of the first branch
 * @param branchId the branch this entry belongs to
 * @param step the run's step count
 * @param label e.g. "step 150" or "paused at 150"
 * @param createdMillis wall-clock time it was taken
 * @param snapshot the complete run state
 * @param frame the image at that state
 * @param layers the paint and pixel-mask layers when the entry was taken, each the size of {@code frame} or null;
 *               null as a whole when they were not recorded (an entry from a version-1 session file), in which case
 *               only the snapshot's latent mask (at cell resolution) is known
 */
public record HistoryEntry(String id, String parentId, String branchId, int step, String label, long createdMillis,
                           RunSnapshot snapshot, Frame frame, Layers layers) {
    /** Thumbnails are at most this many pixels on their longer side. */
    public static final int THUMBNAIL_SIDE = 96;

    /** @throws IllegalArgumentException when a layer's size differs from the frame's */
    public HistoryEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(branchId, "branchId");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(frame, "frame");
        label = label == null ? "step " + step : label;
        if (layers != null && layers.fitting(frame.width(), frame.height()) != layers) {
            throw new IllegalArgumentException("history entry " + id + ": layers " + size(layers)
                    + " do not match its " + frame.width() + "x" + frame.height() + " frame");
        }
    }

    /** An entry without recorded layers. */
    public HistoryEntry(String id, String parentId, String branchId, int step, String label, long createdMillis,
                        RunSnapshot snapshot, Frame frame) {
        this(id, parentId, branchId, step, label, createdMillis, snapshot, frame, null);
    }

    /** @return a copy of this entry with the given layers (null = not recorded) */
    public HistoryEntry withLayers(Layers l) {
        return new HistoryEntry(id, parentId, branchId, step, label, createdMillis, snapshot, frame, l);
    }

    /** @return a small copy of the frame for history strips */
    public Frame thumbnail() {
        return Images.thumbnail(frame, THUMBNAIL_SIDE);
    }

    /** @return {@code last} and its ancestors in {@code all} (through the branches it grew from), oldest first */
    public static List<HistoryEntry> lineage(List<HistoryEntry> all, HistoryEntry last) {
        Map<String, HistoryEntry> byId = new HashMap<>();
        all.forEach(e -> byId.put(e.id(), e));
        LinkedList<HistoryEntry> out = new LinkedList<>();
        for (HistoryEntry e = last; e != null; e = e.parentId() == null ? null : byId.get(e.parentId())) {
            out.addFirst(e);
        }
        return out;
    }

    /**
     * @return the lineage of branch {@code branchId}'s newest entry (else of the newest entry): the frames a run's
     *         time-lapse shows, in step order; empty for an empty history
     */
    public static List<HistoryEntry> branchLineage(List<HistoryEntry> all, String branchId) {
        HistoryEntry last = null;
        for (HistoryEntry e : all) {
            if (e.branchId().equals(branchId)) {
                last = e;
            }
        }
        if (last == null && !all.isEmpty()) {
            last = all.get(all.size() - 1);
        }
        return last == null ? List.of() : lineage(all, last);
    }

    private static String size(Layers l) {
        return "(paint " + (l.paint() == null ? "none" : l.paint().width() + "x" + l.paint().height()) + ", mask "
                + (l.mask() == null ? "none" : l.mask().width() + "x" + l.mask().height()) + ")";
    }
}
