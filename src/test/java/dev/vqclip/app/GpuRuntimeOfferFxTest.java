package dev.vqclip.app;

import dev.vqclip.models.DownloadCancelledException;
import dev.vqclip.models.DownloadProgress;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The studio's offer of the CUDA runtime: progress, cancel, the restart note; the install never on the FX thread. */
class GpuRuntimeOfferFxTest {
    final FxRobot robot = new FxRobot();
    Stage primary;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    private Stage open(GpuRuntimeOffer.Installer installer) throws Exception {
        primary = FxToolkit.registerPrimaryStage();
        AtomicReference<Stage> s = new AtomicReference<>();
        robot.interact(() -> s.set(GpuRuntimeOffer.open(primary, "no cuda runtime is installed", installer)));
        return s.get();
    }

    private String text(Stage w) {
        return ((Label) w.getScene().lookup("#gpuOfferText")).getText();
    }

    private void press(Stage w, String id) {
        robot.interact(() -> ((Button) w.getScene().lookup(id)).fire());
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, c);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void progressThenCancel() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        Stage w = open((l, c) -> {
            thread.set(Thread.currentThread().getName());
            l.onProgress(new DownloadProgress("libtorch", "libtorch_cuda.so.gz", 3, 20, URI.create("http://m/x"),
                    50, 100, 10, null));
            while (!c.isCancelled()) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
            }
            throw new DownloadCancelledException("cancelled");
        });
        assertThat(w.isShowing()).isTrue();
        assertThat(w.getModality()).isEqualTo(javafx.stage.Modality.NONE);
        assertThat(text(w)).startsWith("An NVIDIA GPU is here, but the studio runs on the CPU (no cuda runtime is"
                + " installed)");
        press(w, "#gpuOfferInstall");
        waitFor(() -> text(w).startsWith("Downloading"));
        assertThat(text(w)).isEqualTo("Downloading libtorch_cuda.so.gz (4/20)");
        ProgressBar bar = (ProgressBar) w.getScene().lookup(".progress-bar");
        assertThat(bar.getProgress()).isEqualTo(0.5);
        assertThat(thread.get()).isEqualTo("vqclip-gpu-install");
        assertThat(((Button) w.getScene().lookup("#gpuOfferClose")).getText()).isEqualTo("Cancel");
        press(w, "#gpuOfferClose");
        waitFor(() -> text(w).startsWith("Cancelled"));
        assertThat(w.isShowing()).as("a cancel leaves the window with its outcome").isTrue();
    }

    @Test
    void successSaysToRestartAndNotNowCloses() throws Exception {
        Stage w = open((l, c) -> Path.of("/c/pytorch/2.7.1-cu128-linux-x86_64"));
        press(w, "#gpuOfferInstall");
        waitFor(() -> text(w).startsWith("Installed"));
        assertThat(text(w)).isEqualTo("Installed. Restart the studio to use the GPU.");
        Stage later = open((l, c) -> {
            throw new AssertionError("not installed");
        });
        press(later, "#gpuOfferClose");
        waitFor(() -> !later.isShowing());
        Stage failing = open((l, c) -> {
            throw new dev.vqclip.runtime.RuntimeInstallException("no source had 2.7.1/files.txt");
        });
        press(failing, "#gpuOfferInstall");
        waitFor(() -> text(failing).startsWith("The install failed"));
        assertThat(text(failing)).isEqualTo("The install failed: no source had 2.7.1/files.txt");
    }
}
