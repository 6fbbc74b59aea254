package dev.vqclip.app.history;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptSpan;
import dev.vqclip.session.HistoryEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the prompts changed between a history entry and the one before it on its lineage: prompts whose span starts
 * or ends in the steps between them (as scheduled), and whether the prompts themselves were edited (text, weight or
 * span) during those steps. The history strip marks such entries.
 *
 * @param started "text @ step" for each prompt that starts acting after the earlier entry, up to this one
 * @param ended "text @ step" for each prompt that stops acting in those steps
 * @param edited whether the entry's prompts differ from the earlier entry's
 */
public record PromptChanges(List<String> started, List<String> ended, boolean edited) {
    /** No change. */
    public static final PromptChanges NONE = new PromptChanges(List.of(), List.of(), false);

    public PromptChanges {
        started = List.copyOf(started);
        ended = List.copyOf(ended);
    }

    /**
     * @param e a history entry
     * @param before the entry before it on its lineage (its parent), or null for a run's first entry (counted from
     *        step 0, where prompts acting from the start do not count as starting)
     */
    public static PromptChanges between(HistoryEntry before, HistoryEntry e) {
        int from = before == null ? 0 : before.step();
        List<Prompt> now = e.snapshot().request().prompts();
        List<String> started = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        for (Prompt p : now) {
            PromptSpan s = p.span();
            if (s.from() > 0 && s.from() >= from && s.from() < e.step()) {
                started.add(p.text() + " @ " + s.from());
            }
            if (s.until() != PromptSpan.OPEN && s.until() > from && s.until() <= e.step()) {
                ended.add(p.text() + " @ " + s.until());
            }
        }
        boolean edited = before != null && !before.snapshot().request().prompts().equals(now);
        return new PromptChanges(started, ended, edited);
    }

    /** @return whether anything changed */
    public boolean any() {
        return edited || !started.isEmpty() || !ended.isEmpty();
    }

    /** @return a short mark for the entry's label: "▶2 ■1 ✎" (starts, ends, edited), or "" */
    public String mark() {
        StringBuilder b = new StringBuilder();
        if (!started.isEmpty()) {
            b.append("▶").append(started.size());
        }
        if (!ended.isEmpty()) {
            b.append(b.length() > 0 ? " " : "").append("■").append(ended.size());
        }
        if (edited) {
            b.append(b.length() > 0 ? " " : "").append("✎");
        }
        return b.toString();
    }

    /** @return the changes in words, one per line, for the entry's tooltip */
    public String describe() {
        List<String> lines = new ArrayList<>();
        started.forEach(s -> lines.add("starts: " + s));
        ended.forEach(s -> lines.add("ends: " + s));
        if (edited) {
            lines.add("prompts edited during these steps");
        }
        return String.join("\n", lines);
    }
}
