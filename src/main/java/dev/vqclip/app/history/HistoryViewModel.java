package dev.vqclip.app.history;

import dev.vqclip.app.core.Captured;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.app.run.EngineWorker;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.Layers;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The history strip: snapshots in the order they were taken, as a tree of branches. New snapshots join the current
 * branch after its last entry; "continue from here" opens a new branch whose first entry's parent is the chosen one,
 * so nothing is ever overwritten.
 */
public final class HistoryViewModel {
    private final ObservableList<HistoryEntry> entries = FXCollections.observableArrayList();
    private final ObjectProperty<HistoryEntry> selected = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper branch = new ReadOnlyStringWrapper("b1");
    private final Map<String, String> lastOnBranch = new HashMap<>();
    private final Map<String, Frame> thumbnails = new HashMap<>();
    /** The entry each branch made by "continue from here" grows from. */
    private final Map<String, HistoryEntry> origins = new HashMap<>();
    private int nextEntry = 1;
    private int nextBranch = 2;

    // ---- Commands ----

    /** Adds a captured snapshot to the current branch, with no layers recorded. */
    public HistoryEntry add(Captured c, long nowMillis) {
        return add(c, nowMillis, null);
    }

    /**
     * Adds a captured snapshot to the current branch with the user's layers at that moment; a layer whose size differs
     * from the captured frame is left out (it does not belong to that image).
     *
     * @param layers the paint and mask layers, or null for "not recorded"
     */
    public HistoryEntry add(Captured c, long nowMillis, Layers layers) {
        String id = "h" + nextEntry++;
        Layers fitting = layers == null ? null : layers.fitting(c.frame().width(), c.frame().height());
        HistoryEntry e = new HistoryEntry(id, lastOnBranch.get(branch.get()), branch.get(), c.snapshot().step(),
                c.label(), nowMillis, c.snapshot(), c.frame(), fitting);
        if (c.thumbnail() != null) {
            thumbnails.put(id, c.thumbnail());
        }
        entries.add(e);
        lastOnBranch.put(branch.get(), id);
        return e;
    }

    /** Starts a new branch whose entries descend from {@code from}; returns the new branch id. */
    public String branchFrom(HistoryEntry from) {
        String b = "b" + nextBranch++;
        lastOnBranch.put(b, from.id());
        origins.put(b, from);
        branch.set(b);
        return b;
    }

    /** Starts a new branch with no parent (a fresh Start). */
    public String newRoot() {
        if (!lastOnBranch.containsKey(branch.get())) {
            return branch.get();
        }
        String b = "b" + nextBranch++;
        branch.set(b);
        return b;
    }

    /** Replaces everything (after opening a session). */
    public void load(List<HistoryEntry> list, String currentBranch) {
        lastOnBranch.clear();
        int maxEntry = 0;
        int maxBranch = 1;
        for (HistoryEntry e : list) {
            lastOnBranch.put(e.branchId(), e.id());
            maxEntry = Math.max(maxEntry, number(e.id()));
            maxBranch = Math.max(maxBranch, number(e.branchId()));
        }
        nextEntry = maxEntry + 1;
        nextBranch = Math.max(maxBranch, number(currentBranch)) + 1;
        thumbnails.clear();
        origins.clear();
        Map<String, HistoryEntry> byId = new HashMap<>();
        for (HistoryEntry e : list) {
            HistoryEntry parent = e.parentId() == null ? null : byId.get(e.parentId());
            if (parent != null && !parent.branchId().equals(e.branchId())) {
                origins.putIfAbsent(e.branchId(), parent);
            }
            byId.put(e.id(), e);
        }
        selected.set(null);
        entries.setAll(list);
        branch.set(currentBranch == null ? "b1" : currentBranch);
    }

    /** @return the entries of a branch and its ancestors' entries up to the branch point, oldest first */
    public List<HistoryEntry> lineage(HistoryEntry last) {
        return HistoryEntry.lineage(entries, last);
    }

    /** @return where the prompts changed between the entry's parent (the entry before it) and the entry */
    public PromptChanges promptChanges(HistoryEntry e) {
        HistoryEntry parent = null;
        if (e.parentId() != null) {
            for (HistoryEntry x : entries) {
                if (x.id().equals(e.parentId())) {
                    parent = x;
                }
            }
        }
        return PromptChanges.between(parent, e);
    }

    /** @return the entry's thumbnail (made on the engine thread when captured, else computed once here) */
    public Frame thumbnail(HistoryEntry e) {
        return thumbnails.computeIfAbsent(e.id(), k -> e.thumbnail());
    }

    /** @return the entry a branch made by "continue from here" grows from, or null for a root branch */
    public HistoryEntry branchOrigin(String branchId) {
        return origins.get(branchId);
    }

    /** @return what the loss chart calls a branch: its id, and where it grew from ("b2 from step 40") */
    public String branchName(String branchId) {
        HistoryEntry o = origins.get(branchId);
        return o == null ? branchId : branchId + " from step " + o.step();
    }

    private static int number(String id) {
        try {
            return id == null ? 0 : Integer.parseInt(id.substring(1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return 0;
        }
    }

    // ---- Properties ----

    public ObservableList<HistoryEntry> entries() {
        return entries;
    }

    public ObjectProperty<HistoryEntry> selectedProperty() {
        return selected;
    }

    public ReadOnlyStringProperty branchProperty() {
        return branch.getReadOnlyProperty();
    }

    public String getBranch() {
        return branch.get();
    }
}
