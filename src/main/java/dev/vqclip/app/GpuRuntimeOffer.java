package dev.vqclip.app;

import dev.vqclip.engine.GpuProbe;
import dev.vqclip.models.CancelToken;
import dev.vqclip.models.DownloadCancelledException;
import dev.vqclip.models.DownloadProgress;
import dev.vqclip.models.Downloader;
import dev.vqclip.models.ProgressListener;
import dev.vqclip.runtime.NativeRuntime;
import dev.vqclip.runtime.RuntimeFlavor;
import dev.vqclip.runtime.RuntimeInstaller;
import dev.vqclip.runtime.RuntimeLayout;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * When an NVIDIA GPU is seen but the CPU build of libtorch is in use, a small window (not modal: the studio stays
 * usable) offers to install the CUDA runtime, with progress and Cancel, and says to restart the studio afterwards.
 * The checks and the download run on their own thread; the FX thread only shows what they report.
 */
final class GpuRuntimeOffer {
    /** Installs the CUDA runtime, blocking its (background) thread. */
    @FunctionalInterface
    interface Installer {
        Path install(ProgressListener listener, CancelToken cancel);
    }

    private final Stage window = new Stage();
    private final Installer installer;
    private final Label text = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private final Button install = new Button("Install (about 3 GB)");
    private final Button close = new Button("Not now");
    private volatile CancelToken cancel;

    private GpuRuntimeOffer(Window owner, Installer installer) {
        this.installer = installer;
        text.setId("gpuOfferText");
        install.setId("gpuOfferInstall");
        close.setId("gpuOfferClose");
        window.initOwner(owner);
        window.initModality(Modality.NONE);
        window.setTitle("Use the GPU");
        text.setWrapText(true);
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.setVisible(false);
        install.setOnAction(e -> start());
        close.setOnAction(e -> {
            CancelToken c = cancel;
            if (c != null) {
                c.cancel();
            } else {
                window.close();
            }
        });
        HBox buttons = new HBox(8, install, close);
        VBox root = new VBox(12, text, bar, buttons);
        root.setPadding(new Insets(16));
        root.setPrefWidth(460);
        window.setScene(new Scene(root));
    }

    /**
     * @return whether to offer: the driver shows an NVIDIA GPU, the start-up chose the bundled CPU build without
     *         the user asking for it, and a CUDA build exists for this platform
     */
    static boolean worthOffering(boolean nvidiaSeen, Optional<NativeRuntime.Choice> choice, String platform) {
        return nvidiaSeen && RuntimeFlavor.CUDA.supports(platform) && choice.isPresent()
                && choice.get().runtime().equals(NativeRuntime.BUNDLED)
                && !choice.get().reason().startsWith("the CPU build was asked for");
    }

    /** Checks on a background thread, and offers on the FX thread if it is worth it. */
    static void offerInBackground(Window owner) {
        Thread t = new Thread(() -> {
            if (worthOffering(GpuProbe.nvidiaDriverSeen(), NativeRuntime.current(), GpuProbe.platform())) {
                String why = NativeRuntime.current().map(NativeRuntime.Choice::reason).orElse("");
                Platform.runLater(() -> open(owner, why, (l, c) -> new RuntimeInstaller(RuntimeLayout.current(),
                        Downloader.Options.defaults()).install(RuntimeFlavor.CUDA,
                        RuntimeInstaller.sources(List.of(), System.getenv()), l, c)));
            }
        }, "vqclip-gpu-offer");
        t.setDaemon(true);
        t.start();
    }

    /** Shows the offer (on the FX thread). @return its window */
    static Stage open(Window owner, String why, Installer installer) {
        GpuRuntimeOffer o = new GpuRuntimeOffer(owner, installer);
        o.show(why);
        return o.window;
    }

    private void show(String why) {
        text.setText("An NVIDIA GPU is here, but the studio runs on the CPU (" + why + "). Install the CUDA build"
                + " of PyTorch to run on the GPU? It is downloaded once into DJL's cache.");
        window.show();
    }

    private void start() {
        install.setDisable(true);
        close.setText("Cancel");
        bar.setVisible(true);
        bar.setProgress(ProgressBar.INDETERMINATE_PROGRESS);
        CancelToken c = new CancelToken();
        cancel = c;
        ProgressListener l = new ProgressListener() {
            @Override
            public void onProgress(DownloadProgress p) {
                String line = p.fileName() + " (" + (p.fileIndex() + 1) + "/" + p.fileCount() + ")";
                double f = p.fraction().orElse(-1.0);
                Platform.runLater(() -> {
                    text.setText("Downloading " + line);
                    bar.setProgress(f);
                });
            }

            @Override
            public void onMessage(String m) {
                if (m.startsWith("unpacking")) {
                    Platform.runLater(() -> {
                        text.setText(m);
                        bar.setProgress(ProgressBar.INDETERMINATE_PROGRESS);
                    });
                }
            }
        };
        Thread t = new Thread(() -> {
            String outcome;
            try {
                installer.install(l, c);
                outcome = "Installed. Restart the studio to use the GPU.";
            } catch (DownloadCancelledException e) {
                outcome = "Cancelled. What was downloaded is kept; installing again resumes it.";
            } catch (RuntimeException e) {
                outcome = "The install failed: " + e.getMessage();
            }
            String done = outcome;
            Platform.runLater(() -> finish(done));
        }, "vqclip-gpu-install");
        t.setDaemon(true);
        t.start();
    }

    private void finish(String outcome) {
        cancel = null;
        bar.setVisible(false);
        text.setText(outcome);
        close.setText("Close");
    }
}
