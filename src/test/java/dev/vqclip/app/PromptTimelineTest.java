package dev.vqclip.app;

import dev.vqclip.app.history.PromptChanges;
import dev.vqclip.app.prompt.PromptRowViewModel;
import dev.vqclip.app.prompt.PromptTimelineModel;
import dev.vqclip.app.prompt.PromptTimelineModel.Handle;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.guide.PromptSpan;
import dev.vqclip.session.HistoryEntry;
import javafx.beans.property.SimpleIntegerProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prompt timeline's drag math (pixels to steps, clamping, the start before the end, the ramp fitting), a drag as
 * one undoable edit that reaches a running run, and the history's marks where prompts started, ended or were edited.
 */
class PromptTimelineTest extends StudioViewModelTestBase {
    final SimpleIntegerProperty planned = new SimpleIntegerProperty(100);
    final SimpleIntegerProperty current = new SimpleIntegerProperty(0);
    PromptTimelineModel t;

    @BeforeEach
    void timeline() {
        t = new PromptTimelineModel(vm.prompts(), planned, current);
        t.trackWidthProperty().set(200); // 2 px per step
    }

    PromptRowViewModel row(int i) {
        return vm.prompts().rows().get(i);
    }

    @Test
    void pixelsMapToStepsOnTheTrackAndClampAtItsEnds() {
        assertThat(t.stepAt(50)).isEqualTo(25);
        assertThat(t.stepAt(51.2)).isEqualTo(26);
        assertThat(t.stepAt(-30)).isZero();
        assertThat(t.stepAt(999)).isEqualTo(100);
        assertThat(t.xOf(25)).isEqualTo(50);
        assertThat(t.xOf(400)).isEqualTo(200); // past the planned steps: at the track's end
        assertThat(t.endX(PromptSpan.ALWAYS)).isEqualTo(200);
        planned.set(400);
        assertThat(t.stepAt(50)).isEqualTo(100);
        PromptSpan s = new PromptSpan(20, 60, 0);
        planned.set(100);
        assertThat(t.hit(s, 40)).isEqualTo(Handle.START);
        assertThat(t.hit(s, 123)).isEqualTo(Handle.END);
        assertThat(t.hit(s, 80)).isEqualTo(Handle.MOVE);
        assertThat(t.hit(s, 10)).isNull();
        assertThat(t.hit(s, 150)).isNull();
    }

    @Test
    void dragsClampToTheTrackAndKeepTheStartBeforeTheEnd() {
        PromptSpan s = new PromptSpan(20, 60, 10);
        assertThat(PromptTimelineModel.moved(s, Handle.START, 15, 100)).isEqualTo(new PromptSpan(35, 60, 10));
        // the start dragged past the end stops a step before it; the ramp shrinks to fit twice
        assertThat(PromptTimelineModel.moved(s, Handle.START, 80, 100)).isEqualTo(new PromptSpan(59, 60, 0));
        assertThat(PromptTimelineModel.moved(s, Handle.START, 25, 100)).isEqualTo(new PromptSpan(45, 60, 7));
        assertThat(PromptTimelineModel.moved(s, Handle.START, -50, 100)).isEqualTo(new PromptSpan(0, 60, 10));
        assertThat(PromptTimelineModel.moved(s, Handle.END, -70, 100)).isEqualTo(new PromptSpan(20, 21, 0));
        assertThat(PromptTimelineModel.moved(s, Handle.END, 10, 100)).isEqualTo(new PromptSpan(20, 70, 10));
        // to the track's end or past it: no end
        assertThat(PromptTimelineModel.moved(s, Handle.END, 40, 100)).isEqualTo(new PromptSpan(20, PromptSpan.OPEN,
                10));
        // a move keeps the length and stays on the track
        assertThat(PromptTimelineModel.moved(s, Handle.MOVE, -30, 100)).isEqualTo(new PromptSpan(0, 40, 10));
        assertThat(PromptTimelineModel.moved(s, Handle.MOVE, 90, 100)).isEqualTo(new PromptSpan(60, 100, 10));
        PromptSpan open = new PromptSpan(30, PromptSpan.OPEN, 5);
        assertThat(PromptTimelineModel.moved(open, Handle.MOVE, 200, 100)).isEqualTo(new PromptSpan(99,
                PromptSpan.OPEN, 5));
        assertThat(PromptTimelineModel.moved(open, Handle.END, -50, 100)).isEqualTo(new PromptSpan(30, 50, 5));
        assertThat(PromptTimelineModel.moved(PromptSpan.ALWAYS, Handle.START, 10, 100))
                .isEqualTo(new PromptSpan(10, PromptSpan.OPEN, 0));
        // a span that starts after the planned steps does not jump when it is grabbed and not moved
        PromptSpan late = new PromptSpan(300, PromptSpan.OPEN, 0);
        assertThat(PromptTimelineModel.moved(late, Handle.MOVE, 0, 100)).isEqualTo(late);
    }

    @Test
    void aDragIsOneUndoableEditOfTheRowAndReachesTheRunningRun() {
        startStory("a forest:0-60~10 | ashes:50-", 100);
        runTo(2);
        assertThat(t.press(row(0), 120)).isTrue(); // the end of 0-60 at 120 px
        t.drag(140);
        t.drag(160);
        assertThat(t.shown(row(0))).isEqualTo(new PromptSpan(0, 80, 10));
        assertThat(row(0).spanProperty().get()).isEqualTo(new PromptSpan(0, 60, 10)); // not yet: the drag is a preview
        t.release(160);
        assertThat(row(0).spanProperty().get()).isEqualTo(new PromptSpan(0, 80, 10));
        assertThat(vm.prompts().prompts().get(0).toSpec()).isEqualTo("a forest:1:0-80~10");
        assertThat(vm.edits().undoNameProperty().get()).contains("prompt span");
        runTo(4);
        assertThat(state().request().prompts().get(0).span()).isEqualTo(new PromptSpan(0, 80, 10));
        vm.edits().undo();
        assertThat(row(0).spanProperty().get()).isEqualTo(new PromptSpan(0, 60, 10));
        assertThat(vm.edits().canUndoProperty().get()).isTrue(); // the undo took one drag, not one step of it
        vm.edits().redo();
        assertThat(row(0).spanProperty().get()).isEqualTo(new PromptSpan(0, 80, 10));
        // a press beside the bar starts nothing; an unchanged release records nothing
        assertThat(t.press(row(1), 20)).isFalse();
        String before = vm.edits().undoNameProperty().get();
        assertThat(t.press(row(1), 150)).isTrue();
        t.release(150);
        assertThat(vm.edits().undoNameProperty().get()).isEqualTo(before);
        assertThat(t.dragProperty().get()).isNull();
    }

    @Test
    void historyMarksWherePromptsStartEndAndWereEdited() {
        vm.settings().historyEveryProperty().set(5);
        startStory("a forest:0-10 | ashes:10-", 20);
        runTo(12);
        row(1).weightProperty().set(2); // an edit during the run
        runTo(20);
        ex.runEngineUntil(() -> vm.history().entries().size() >= 4, 50);
        List<HistoryEntry> es = vm.history().entries();
        PromptChanges at5 = vm.history().promptChanges(entry(es, 5));
        PromptChanges at10 = vm.history().promptChanges(entry(es, 10));
        PromptChanges at15 = vm.history().promptChanges(entry(es, 15));
        PromptChanges at20 = vm.history().promptChanges(entry(es, 20));
        assertThat(at5.any()).isFalse();
        assertThat(at5.mark()).isEmpty();
        assertThat(at10.ended()).containsExactly("a forest @ 10"); // its last step was the 10th
        assertThat(at10.started()).isEmpty();
        assertThat(at10.edited()).isFalse();
        assertThat(at15.started()).containsExactly("ashes @ 10"); // its first step was the 11th
        assertThat(at15.edited()).isTrue();
        assertThat(at15.mark()).isEqualTo("▶1 ✎");
        assertThat(at15.describe()).contains("starts: ashes @ 10").contains("prompts edited");
        assertThat(at20.any()).isFalse();
    }

    /** Starts a 64×48 run of {@code steps} steps on the scheduled prompts of {@code story}. */
    void startStory(String story, int steps) {
        vm.prompts().setPrompts(PromptParser.parse(story));
        vm.settings().widthProperty().set(64);
        vm.settings().heightProperty().set(48);
        vm.settings().stepsProperty().set(steps);
        vm.start();
    }

    static HistoryEntry entry(List<HistoryEntry> es, int step) {
        return es.stream().filter(e -> e.step() == step).findFirst().orElseThrow();
    }
}
