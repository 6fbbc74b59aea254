package dev.vqclip.app;

import dev.vqclip.engine.EngineThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class DiagnosticsViewModelTest {
    private final ManualTaskExecutor executor = new ManualTaskExecutor();

    @BeforeEach
    void privatePreferences() {
        System.setProperty("vqclip.preferences", "dev/vqclip/test-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void forget() throws Exception {
        java.util.prefs.Preferences.userRoot().node(System.getProperty("vqclip.preferences")).removeNode();
        System.clearProperty("vqclip.preferences");
    }

    @Test
    void theReportIsMadeOnTheEngineThreadAndPublishedOnce() {
        AtomicInteger made = new AtomicInteger();
        DiagnosticsViewModel vm = new DiagnosticsViewModel(executor, () -> "report " + made.incrementAndGet());
        vm.refresh();
        assertThat(made).as("nothing runs on the UI thread").hasValue(0);
        assertThat(vm.busyProperty().get()).isTrue();
        assertThat(vm.reportProperty().get()).startsWith("Collecting");
        vm.refresh();
        assertThat(executor.engine).as("a second request while busy is not queued").hasSize(1);
        executor.runEngine(10);
        assertThat(made).hasValue(1);
        assertThat(vm.reportProperty().get()).isEqualTo("report 1");
        assertThat(vm.busyProperty().get()).isFalse();
    }

    @Test
    void aFailingReportSaysWhyInsteadOfStayingBusy() {
        DiagnosticsViewModel vm = new DiagnosticsViewModel(executor, () -> {
            throw new IllegalStateException("no engine");
        });
        vm.refresh();
        executor.runEngine(10);
        assertThat(vm.reportProperty().get()).contains("Diagnostics failed").contains("no engine");
        assertThat(vm.busyProperty().get()).isFalse();
    }

    @Test
    void theThreadSettingIsSavedForTheNextStart() {
        DiagnosticsViewModel vm = new DiagnosticsViewModel(executor, () -> "");
        assertThat(vm.threadsProperty().get()).isZero();
        vm.threadsProperty().set(3);
        vm.saveThreads();
        assertThat(EngineThreads.savedSetting()).isEqualTo(3);
        assertThat(new DiagnosticsViewModel(executor, () -> "").threadsProperty().get()).isEqualTo(3);
        vm.threadsProperty().set(0);
        vm.saveThreads();
        assertThat(EngineThreads.savedSetting()).isZero();
    }
}
