package dev.vqclip.engine.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes read and skipped through it, and refuses to go past an optional limit (for a decompressing stream:
 * how much it may expand to). Mark and reset are not supported, so the count is the position.
 */
public final class CountingInputStream extends FilterInputStream {
    private final long limit;
    private final String overLimit;
    private long count;

    /** Counts without a limit. */
    public CountingInputStream(InputStream in) {
        this(in, Long.MAX_VALUE, null);
    }

    /**
     * @param limit     how many bytes may pass
     * @param overLimit the message of the {@link IOException} thrown once more would
     */
    public CountingInputStream(InputStream in, long limit, String overLimit) {
        super(in);
        this.limit = limit;
        this.overLimit = overLimit;
    }

    /** @return the bytes read and skipped so far */
    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        add(s);
        return s;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void add(long n) throws IOException {
        count += n;
        if (count > limit) {
            throw new IOException(overLimit);
        }
    }
}
