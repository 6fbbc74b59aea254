package dev.vqclip.media;

import dev.vqclip.engine.image.Frame;
import org.jcodec.api.FrameGrab;
import org.jcodec.api.JCodecException;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.scale.ColorUtil;
import org.jcodec.scale.Transform;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Decodes an MP4 back into frames, for the tests (jcodec's demuxer and H.264 decoder). */
public final class Mp4Reader {
    private Mp4Reader() {
    }

    public static List<Frame> read(Path file) throws IOException, JCodecException {
        List<Frame> out = new ArrayList<>();
        try (SeekableByteChannel ch = NIOUtils.readableChannel(file.toFile())) {
            FrameGrab grab = FrameGrab.createFrameGrab(ch);
            Picture p;
            while ((p = grab.getNativeFrame()) != null) {
                out.add(toFrame(p));
            }
        }
        return out;
    }

    private static Frame toFrame(Picture yuv) {
        Picture rgb = Picture.create(yuv.getWidth(), yuv.getHeight(), ColorSpace.RGB);
        Transform t = ColorUtil.getTransform(yuv.getColor(), ColorSpace.RGB);
        t.transform(yuv, rgb);
        Picture cropped = rgb;
        int w = yuv.getCroppedWidth();
        int h = yuv.getCroppedHeight();
        byte[] data = cropped.getPlaneData(0);
        int stride = rgb.getWidth();
        int[] argb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * stride + x);
                argb[y * w + x] = 0xff000000 | (data[i] + 128) << 16 | (data[i + 1] + 128) << 8 | (data[i + 2] + 128);
            }
        }
        return new Frame(w, h, argb);
    }
}
