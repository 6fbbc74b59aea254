package dev.vqclip.app;

import dev.vqclip.app.core.LongJob;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Saving a session shows its progress per history entry and can be cancelled without touching the file. */
class SaveProgressTest extends StudioViewModelTestBase {
    @Test
    void aCancelledSaveKeepsThePreviousFileAndTheSessionUnsaved() throws Exception {
        configure(vm, "red apple", 30, 3);
        vm.start();
        runTo(12);
        pause();
        Path file = tmp.resolve("s.vqsession");
        vm.files().saveTo(file);
        ex.runEngine(10);
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("saved s.vqsession");
        byte[] first = Files.readAllBytes(file);

        vm.run().togglePause();
        runTo(30);
        ex.runEngine(50);
        assertThat(vm.studio().dirtyProperty().get()).isTrue();
        int entries = vm.history().entries().size();
        assertThat(entries).isGreaterThan(5);
        LongJob job = vm.studio().job();
        StringBuilder seen = new StringBuilder();
        job.textProperty().addListener((o, a, b) -> seen.append(b).append('\n'));
        javafx.beans.value.ChangeListener<Number> pressCancel = (o, a, b) -> {
            if (b.intValue() == 3) {
                job.cancel();
            }
        };
        job.doneProperty().addListener(pressCancel);
        vm.files().saveTo(file);
        assertThat(job.runningProperty().get()).isTrue();
        ex.runEngine(10);
        assertThat(seen).contains("Saving s.vqsession: 1 of " + entries + " history entries");
        assertThat(job.runningProperty().get()).isFalse();
        assertThat(vm.studio().noticeProperty().get())
                .isEqualTo("save cancelled: s.vqsession is as it was, the session still unsaved");
        assertThat(Files.readAllBytes(file)).isEqualTo(first);
        assertThat(vm.studio().dirtyProperty().get()).isTrue();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("s.vqsession");
        }

        job.doneProperty().removeListener(pressCancel);
        vm.files().saveTo(file);
        ex.runEngine(10);
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("saved s.vqsession");
        assertThat(vm.studio().dirtyProperty().get()).isFalse();
        assertThat(Files.readAllBytes(file)).isNotEqualTo(first);
    }
}
