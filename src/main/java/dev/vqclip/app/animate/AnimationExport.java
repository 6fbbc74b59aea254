package dev.vqclip.app.animate;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.FrameSource;
import dev.vqclip.engine.image.Images;
import dev.vqclip.media.Mp4Writer;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.SimpleIntegerProperty;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Writes the animation's frames as an MP4 ({@link Mp4Writer}, H.264) or a looping GIF ({@link Images#writeGif}) on
 * the engine thread (between steps), with the fraction of frames written as progress.
 */
public final class AnimationExport {
    private final TaskExecutor executor;
    private final DialogService dialogs;
    private final StudioStatus status;
    private final Supplier<List<Frame>> frames;
    private final IntegerProperty fps = new SimpleIntegerProperty(12);
    /** -1 while no export runs, else 0..1. */
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(-1);

    AnimationExport(TaskExecutor executor, DialogService dialogs, StudioStatus status, Supplier<List<Frame>> frames) {
        this.executor = executor;
        this.dialogs = dialogs;
        this.status = status;
        this.frames = frames;
    }

    /** Asks where to write the frames as {@code extension} (".mp4" or ".gif") and writes them there. */
    public void export(String extension) {
        dialogs.chooseSaveFile("Export animation", extension, "animation" + extension)
                .ifPresent(f -> exportTo(f, null));
    }

    /**
     * Writes the frames made so far to {@code file} (.mp4 or .gif, replaced atomically).
     *
     * @param done gets the file once written (UI thread); may be null
     */
    public void exportTo(Path file, Runnable done) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean mp4 = name.endsWith(".mp4");
        if (!mp4 && !name.endsWith(".gif")) {
            status.notice("export the animation as .mp4 or .gif, not " + file.getFileName());
            return;
        }
        List<Frame> list = frames.get();
        if (list.isEmpty()) {
            status.notice("the animation has no frames yet");
            return;
        }
        int rate = Math.max(1, Math.min(120, fps.get()));
        FrameSource source = FrameSource.of(list);
        progress.set(0);
        status.notice("exporting " + list.size() + " frames to " + file.getFileName() + "…");
        executor.onEngine(() -> {
            java.util.function.IntConsumer p = i -> executor.runOnUi(() -> progress.set((i + 1.0) / list.size()));
            if (mp4) {
                Mp4Writer.write(file, source, rate, p);
            } else {
                // GIF counts delays in hundredths of a second: at most 50 frames per second
                Images.writeGif(file, source, Math.max(20, Math.round(1000f / rate)), p);
            }
            return file;
        }, f -> {
            progress.set(-1);
            status.notice("exported " + list.size() + " frames to " + f.getFileName() + " (" + rate + " fps)");
            if (done != null) {
                done.run();
            }
        }, e -> {
            progress.set(-1);
            status.fileError(file, "could not export " + file.getFileName(), e);
        });
    }

    /** @return frames per second of the export (1..120) */
    public IntegerProperty fpsProperty() {
        return fps;
    }

    /** @return the fraction written, or -1 while no export runs */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }
}
