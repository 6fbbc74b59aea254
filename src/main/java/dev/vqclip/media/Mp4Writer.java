package dev.vqclip.media;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.FrameSource;
import dev.vqclip.engine.io.AtomicFiles;
import org.jcodec.api.transcode.PixelStore;
import org.jcodec.api.transcode.SinkImpl;
import org.jcodec.api.transcode.VideoFrameWithPacket;
import org.jcodec.common.Codec;
import org.jcodec.common.Format;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Picture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * Writes frames as an H.264 video in an MP4 container with jcodec (pure Java: no ffmpeg to install). The file is
 * replaced atomically, so a cancelled or failed export leaves the previous file (or none).
 */
public final class Mp4Writer {
    private Mp4Writer() {
    }

    /**
     * @param fps frames per second, 1..120
     * @param progress called with the number of frames encoded so far (may be a no-op)
     * @throws IllegalArgumentException when there are no frames, the rate is impossible or the frames change size
     */
    public static void write(Path out, FrameSource frames, int fps, IntConsumer progress) throws IOException {
        if (frames.count() < 1) {
            throw new IllegalArgumentException(out + ": a video needs at least one frame");
        }
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException(out + ": frame rate " + fps + " is outside 1..120");
        }
        MemoryChannel ch = new MemoryChannel();
        SinkImpl sink = SinkImpl.createWithStream(ch, Format.MOV, Codec.H264, null);
        sink.init();
        int w = -1;
        int h = -1;
        for (int i = 0; i < frames.count(); i++) {
            Frame f = frames.frame(i);
            if (i == 0) {
                w = f.width();
                h = f.height();
            } else if (f.width() != w || f.height() != h) {
                throw new IllegalArgumentException(out + ": frame " + i + " is " + f.width() + "x" + f.height()
                        + " but the first frame is " + w + "x" + h);
            }
            Packet p = Packet.createPacket(null, i, fps, 1, i, Packet.FrameType.KEY, null);
            sink.outputVideoFrame(new VideoFrameWithPacket(p, new PixelStore.LoanerPicture(toYuv(f), 1)));
            progress.accept(i + 1);
        }
        sink.finish();
        AtomicFiles.write(out, ch::writeTo);
    }

    /**
     * The frame in the 4:2:0 YCbCr that H.264 decoders expect when a stream says nothing about its colours: BT.601,
     * limited range (luma 16..235, chroma 16..240), chroma averaged over 2×2 pixels. (jcodec's own RGB conversion
     * writes other levels than its decoder and every player read back, so the planes are filled here.) Planes hold
     * each 8-bit sample minus 128, as jcodec stores them.
     */
    static Picture toYuv(Frame f) {
        int w = f.width();
        int h = f.height();
        Picture pic = Picture.create(w, h, ColorSpace.YUV420J);
        byte[] y = pic.getPlaneData(0);
        byte[] cb = pic.getPlaneData(1);
        byte[] cr = pic.getPlaneData(2);
        int cw = pic.getPlaneWidth(1);
        int[] argb = f.argb();
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                int p = argb[row * w + col];
                y[row * pic.getPlaneWidth(0) + col] = sample(16 + LUMA * (0.299 * r(p) + 0.587 * g(p) + 0.114 * b(p)));
            }
        }
        for (int row = 0; row < pic.getPlaneHeight(1); row++) {
            for (int col = 0; col < cw; col++) {
                double u = 0;
                double v = 0;
                int n = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        int sy = Math.min(h - 1, 2 * row + dy);
                        int sx = Math.min(w - 1, 2 * col + dx);
                        int p = argb[sy * w + sx];
                        u += -0.168736 * r(p) - 0.331264 * g(p) + 0.5 * b(p);
                        v += 0.5 * r(p) - 0.418688 * g(p) - 0.081312 * b(p);
                        n++;
                    }
                }
                cb[row * cw + col] = sample(128 + CHROMA * u / n);
                cr[row * cw + col] = sample(128 + CHROMA * v / n);
            }
        }
        return pic;
    }

    private static final double LUMA = 219.0 / 255.0;
    private static final double CHROMA = 224.0 / 255.0;

    private static int r(int p) {
        return (p >> 16) & 0xff;
    }

    private static int g(int p) {
        return (p >> 8) & 0xff;
    }

    private static int b(int p) {
        return p & 0xff;
    }

    private static byte sample(double v) {
        long q = Math.round(v);
        return (byte) (Math.max(0, Math.min(255, q)) - 128);
    }
}
