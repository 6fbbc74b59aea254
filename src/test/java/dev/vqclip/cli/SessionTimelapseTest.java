package dev.vqclip.cli;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.media.Mp4Reader;
import dev.vqclip.media.TimeLapse;
import dev.vqclip.testing.CraftedFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vqclip session timelapse}: a session's run as MP4, GIF or PNG frames, with the time left on stderr. */
class SessionTimelapseTest {
    @TempDir
    Path dir;
    private Path file;

    @BeforeEach
    void fiveEntrySession() throws IOException {
        file = CraftedFiles.smallSession(dir.resolve("s.vqsession"), 5);
    }

    /** @return the arguments of {@code vqclip session timelapse} on the session, writing {@code out} */
    private String[] timelapse(Path out, String... options) {
        return Stream.concat(Stream.of("session", "timelapse", file.toString(), "--out", out.toString()),
                Stream.of(options)).toArray(String[]::new);
    }

    @Test
    void writesTheRunAsMp4GifAndFrames() throws Exception {
        Path mp4 = dir.resolve("run.mp4");
        CliRun r = CliRun.succeeding(timelapse(mp4));
        assertThat(r.out()).contains("wrote " + mp4 + " (5 frames of 5 history entries, 64x64, 10 fps, branch b1)");
        assertThat(r.err()).contains("timelapse: frame 5/5 (100%), took ");
        List<Frame> video = Mp4Reader.read(mp4);
        assertThat(video).hasSize(5).allSatisfy(f -> assertThat(f.width() + "x" + f.height()).isEqualTo("64x64"));

        Path gif = dir.resolve("run.gif");
        r = CliRun.succeeding(timelapse(gif, "--every", "3", "--quiet"));
        assertThat(r.err()).doesNotContain("timelapse:");
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            reader.setInput(in);
            assertThat(reader.getNumImages(true)).as("entries 1, 4 and the last, 5").isEqualTo(3);
        }

        Path frames = dir.resolve("frames");
        r = CliRun.succeeding(timelapse(frames, "--every", "2"));
        // entries h1, h3, h5: CraftedFiles gives entry i the colour i * 0x010203
        for (int k = 0; k < 3; k++) {
            assertThat(Images.read(frames.resolve(TimeLapse.frameName(k))).argb())
                    .containsOnly(0xff000000 | (2 * k + 1) * 0x010203);
        }
    }

    @Test
    void badInputIsNamedAndNothingIsWritten() throws Exception {
        CliRun r = CliRun.of(timelapse(dir.resolve("run.avi")));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("run.avi: a time-lapse is written as .mp4, .gif or a folder of PNGs");
        r = CliRun.of(timelapse(dir.resolve("run.mp4"), "--every", "0"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--every 0");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("s.vqsession");
        }
    }

    @Test
    void theProgressLineSaysTheTimeLeft() {
        long s = 1_000_000_000L;
        assertThat(SessionTimelapse.line(0, 40, 0)).isEqualTo("timelapse: frame 0/40 (0%), time left unknown");
        assertThat(SessionTimelapse.line(10, 40, 5 * s)).isEqualTo("timelapse: frame 10/40 (25%), 0:15 left");
        assertThat(SessionTimelapse.line(40, 40, 75 * s)).isEqualTo("timelapse: frame 40/40 (100%), took 1:15");
    }
}
