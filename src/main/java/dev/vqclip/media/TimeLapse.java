package dev.vqclip.media;

import dev.vqclip.engine.image.FrameSource;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * A time-lapse of a run: frames (a run's history in step order) written as an MP4, an animated GIF or a folder of
 * numbered PNGs, chosen by the output's name. Cancelling (or a failure) leaves no half-written output: the MP4 and the
 * GIF are replaced atomically, and a frame folder loses the frames this export wrote (and the folder when it made it).
 */
public final class TimeLapse {
    /** The outputs, by the name's extension. */
    public enum Format {
        /** {@code .mp4}: H.264 ({@link Mp4Writer}) */
        MP4,
        /** {@code .gif}: looping animated GIF */
        GIF,
        /** no extension: a folder of {@code frame-00000.png}, ... */
        FRAMES;

        /**
         * @return the format that the name asks for
         * @throws IllegalArgumentException for an extension other than .mp4 or .gif (a folder has none)
         */
        public static Format of(Path out) {
            String n = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".mp4")) {
                return MP4;
            }
            if (n.endsWith(".gif")) {
                return GIF;
            }
            int dot = n.lastIndexOf('.');
            if (dot > 0 && dot < n.length() - 1) {
                throw new IllegalArgumentException(out + ": a time-lapse is written as .mp4, .gif or a folder of PNGs"
                        + " (a name without an extension), not as " + n.substring(dot));
            }
            return FRAMES;
        }
    }

    private TimeLapse() {
    }

    /**
     * @param every keep every {@code every}-th item (1: all)
     * @return items 0, every, 2·every, ... and always the last one (a time-lapse ends on the final image)
     * @throws IllegalArgumentException when {@code every} is below 1
     */
    public static <T> List<T> everyNth(List<T> items, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("every " + every + ": keep at least every first frame (1 or more)");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += every) {
            out.add(items.get(i));
        }
        if (!items.isEmpty() && (items.size() - 1) % every != 0) {
            out.add(items.get(items.size() - 1));
        }
        return out;
    }

    /**
     * Writes the frames to {@code out} in the format its name asks for.
     *
     * @param fps frames per second (1..120; a GIF shows each frame at least 20 ms)
     * @param progress called with the number of frames written so far
     * @param cancelled asked before each frame; when it turns true the export stops and removes what it wrote
     * @throws CancellationException when cancelled (nothing of this export is left)
     * @throws IllegalArgumentException when there are no frames, the name or the rate is wrong, or the sizes differ
     */
    public static void write(Path out, FrameSource frames, int fps, IntConsumer progress, BooleanSupplier cancelled)
            throws IOException {
        Format format = Format.of(out);
        if (frames.count() < 1) {
            throw new IllegalArgumentException(out + ": a time-lapse needs at least one frame");
        }
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException(out + ": frame rate " + fps + " is outside 1..120");
        }
        IntConsumer checked = n -> {
            progress.accept(n);
            if (n < frames.count() && cancelled.getAsBoolean()) {
                throw new CancellationException("cancelled after " + n + " of " + frames.count() + " frames");
            }
        };
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("cancelled before the first frame");
        }
        try {
            switch (format) {
                case MP4 -> Mp4Writer.write(out, frames, fps, checked);
                case GIF -> Images.writeGif(out, frames, Math.max(20, Math.round(1000f / fps)), checked);
                case FRAMES -> writeFolder(out, frames, checked);
                default -> throw new IllegalStateException(format.toString());
            }
        } catch (IOException | RuntimeException e) {
            // the atomic writers wrap what the progress threw: a cancelled export says so
            if (cancelled.getAsBoolean()) {
                CancellationException c = new CancellationException(out + ": cancelled; nothing was written");
                c.initCause(e);
                throw c;
            }
            throw e;
        }
    }

    /** @return the name of frame {@code index} in a frame folder */
    public static String frameName(int index) {
        return String.format(Locale.ROOT, "frame-%05d.png", index);
    }

    private static void writeFolder(Path dir, FrameSource frames, IntConsumer progress) throws IOException {
        boolean made = !Files.exists(dir);
        if (!made && !Files.isDirectory(dir)) {
            throw new IOException(dir + ": is a file, not a folder for the frames");
        }
        for (int i = 0; i < frames.count(); i++) {
            if (Files.exists(dir.resolve(frameName(i)))) {
                throw new IOException(dir + " already holds " + frameName(i) + "; choose an empty or new folder");
            }
        }
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        boolean done = false;
        try {
            for (int i = 0; i < frames.count(); i++) {
                Path f = dir.resolve(frameName(i));
                Png.write(f, frames.frame(i), Map.of());
                written.add(f);
                progress.accept(i + 1);
            }
            done = true;
        } finally {
            if (!done) {
                for (Path p : written) {
                    Files.deleteIfExists(p);
                }
                if (made) {
                    try (var rest = Files.list(dir)) {
                        if (rest.findAny().isEmpty()) {
                            Files.deleteIfExists(dir);
                        }
                    }
                }
            }
        }
    }
}
