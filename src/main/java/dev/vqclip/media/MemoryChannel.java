package dev.vqclip.media;

import org.jcodec.common.io.SeekableByteChannel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;

/**
 * A growable in-memory {@link SeekableByteChannel}: the MP4 muxer seeks back to patch sizes, so the video is built
 * here and then written to its file in one atomic step.
 */
final class MemoryChannel implements SeekableByteChannel {
    private byte[] data = new byte[1 << 16];
    private int size;
    private int position;
    private boolean open = true;

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel setPosition(long newPosition) throws IOException {
        if (newPosition < 0 || newPosition > Integer.MAX_VALUE - 8) {
            throw new IOException("position " + newPosition + " out of range");
        }
        position = (int) newPosition;
        return this;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long newSize) {
        if (newSize < size) {
            size = (int) Math.max(0, newSize);
            position = Math.min(position, size);
        }
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (position >= size) {
            return -1;
        }
        int n = Math.min(dst.remaining(), size - position);
        dst.put(data, position, n);
        position += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int n = src.remaining();
        long end = (long) position + n;
        if (end > Integer.MAX_VALUE - 8) {
            throw new IOException("a video over 2 GiB cannot be built in memory");
        }
        if (end > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(end, 2L * data.length)));
        }
        src.get(data, position, n);
        position = (int) end;
        size = Math.max(size, position);
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    /** Writes the channel's bytes, whatever its position. */
    void writeTo(OutputStream out) throws IOException {
        out.write(data, 0, size);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
