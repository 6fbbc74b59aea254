package dev.vqclip.app;

import dev.vqclip.app.settings.EnginePriority;
import dev.vqclip.app.settings.PrivatePreferences;
import dev.vqclip.engine.ThreadPriority;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.vqclip.app.StudioAppFxTest.fx;
import static dev.vqclip.app.StudioAppFxTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/** The studio's engine thread runs at the process's priority until "Run in the background" is ticked. */
class EnginePriorityFxTest extends StudioFxHarness {
    @BeforeEach
    void privatePreferences() {
        PrivatePreferences.use("test-priority-fx");
    }

    @AfterEach
    void forgetPreferences() throws Exception {
        PrivatePreferences.forget();
    }

    /** @return the nice values of this process's threads named like the engine thread */
    private static List<Integer> engineNice() throws Exception {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(EnginePriority.ENGINE_THREAD)) {
                        ThreadPriority.niceOf(Long.parseLong(t.getFileName().toString())).ifPresent(out::add);
                    }
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    @Test
    void normalByDefaultAndNiceTenOnceTheSettingIsTicked() throws Exception {
        StudioConfig c = new StudioConfig(p -> new FakeRunFactory(5), w -> new ScriptedDialogs(), null, null, 0,
                null);
        StudioApp app = launch(() -> new StudioApp(c));
        waitUntil(() -> app.viewModel().run().engine().engineReadyProperty().get(), 10);
        int process = ThreadPriority.processNice().orElseThrow();
        List<Integer> before = engineNice();
        assertThat(before).as("the engine thread exists").isNotEmpty();
        assertThat(before).as("at the process's priority").containsOnly(process);

        CheckBox box = robot.lookup("#runInBackground").queryAs(CheckBox.class);
        assertThat(box.isSelected()).isFalse();
        assertThat(box.getText()).isEqualTo("Run in the background (lower priority)");
        robot.interact(box::fire);
        assertThat(engineNice()).containsOnly(Math.max(ThreadPriority.BACKGROUND_NICE, process));
        assertThat(EnginePriority.saved()).as("saved for the next start").isTrue();

        robot.interact(box::fire);
        Label notice = robot.lookup("#runInBackgroundNotice").queryAs(Label.class);
        if (fx(notice::isVisible)) {
            assertThat(notice.getText()).contains("until the studio restarts");
        } else {
            assertThat(engineNice()).containsOnly(process);
        }
        assertThat(EnginePriority.saved()).isFalse();
    }
}
