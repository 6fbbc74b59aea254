package dev.vqclip.engine.weights;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy {@code torch.save} format (before 1.6, or {@code _use_new_zipfile_serialization=False}): a pickled
 * magic number, the protocol version 1001, a sys-info dict, the main pickle, the pickled list of storage keys, then
 * every storage in that order as an 8-byte little-endian element count followed by its raw little-endian bytes.
 * Storage bytes are read on demand through a {@link FileChannel}.
 */
final class TorchLegacy implements StorageReader, Closeable {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final int PROTOCOL = 1001;

    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();
    private final Map<String, Long> dataOffsets = new HashMap<>();
    private Object data;

    private TorchLegacy(FileChannel channel) throws IOException {
        this.channel = channel;
        this.fileSize = channel.size();
    }

    /** Opens and parses the file: pickles, storage headers (validated against the pickle's claims). */
    static TorchLegacy open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            TorchLegacy t = new TorchLegacy(ch);
            t.parse();
            return t;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void parse() throws IOException {
        channel.position(0);
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        long pos = 0;
        SafeUnpickler u = unpickler(fileSize - pos);
        Object magic = u.read(in);
        pos += u.consumed();
        if (!(magic instanceof BigInteger b) || !b.equals(MAGIC)) {
            throw new BadFile("a pickle, but not a torch.save file (no legacy magic number)");
        }
        u = unpickler(fileSize - pos);
        Object protocol = u.read(in);
        pos += u.consumed();
        if (!(protocol instanceof Number p) || p.intValue() != PROTOCOL) {
            throw new BadFile("unsupported legacy torch.save protocol " + protocol);
        }
        u = unpickler(fileSize - pos);
        Object sysInfo = u.read(in);
        pos += u.consumed();
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new BadFile("big-endian legacy checkpoints are not supported");
        }
        u = new SafeUnpickler(false, this::storage, fileSize - pos);
        data = u.read(in);
        pos += u.consumed();
        u = unpickler(fileSize - pos);
        Object keys = u.read(in);
        pos += u.consumed();
        if (!(keys instanceof List<?> list)) {
            throw new BadFile("legacy storage key list is missing");
        }
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Object k : list) {
            if (!(k instanceof String key)) {
                throw new BadFile("legacy storage key list holds a " + SafeUnpickler.typeName(k));
            }
            StorageRef s = storages.get(key);
            if (dataOffsets.containsKey(key)) {
                throw new BadFile("storage '" + TorchZip.abbreviate(key) + "' is listed twice");
            }
            if (s == null) {
                throw new BadFile("storage '" + TorchZip.abbreviate(key) + "' is listed but no tensor describes it");
            }
            header.clear();
            readFully(header, pos, "header of storage '" + key + "'");
            long numel = header.getLong(0);
            if (numel != s.numel()) {
                throw new BadFile("storage '" + key + "' holds " + numel + " elements in the file but the pickle claims "
                        + s.numel());
            }
            long start = pos + 8;
            if (s.byteSize() > fileSize - start) {
                throw new BadFile("file is truncated: storage '" + key + "' needs " + s.byteSize() + " bytes at offset "
                        + start + " but the file has " + fileSize + " bytes");
            }
            dataOffsets.put(key, start);
            pos = start + s.byteSize();
        }
    }

    private SafeUnpickler unpickler(long length) {
        return new SafeUnpickler(false, (k, d, n, v) -> {
            throw new BadFile("storage reference outside the main pickle");
        }, length);
    }

    private StorageRef storage(String key, DType dtype, long numel, Object view) {
        StorageRef root = storages.get(key);
        if (root == null) {
            root = new StorageRef(key, dtype, numel, null, 0);
            storages.put(key, root);
        } else if (root.dtype() != dtype || root.numel() != numel) {
            throw new BadFile("storage '" + TorchZip.abbreviate(key) + "' is described twice with different types "
                    + "or sizes");
        }
        if (view == null) {
            return root;
        }
        Object[] v = SafeUnpickler.tuple(view);
        if (v.length != 3 || !(v[0] instanceof String viewKey)) {
            throw new BadFile("malformed storage view of '" + key + "'");
        }
        long offset = SafeUnpickler.number(v[1], "view offset");
        long size = SafeUnpickler.number(v[2], "view size");
        if (offset < 0 || size < 0 || offset > numel || size > numel - offset) {
            throw new BadFile("storage view '" + viewKey + "' [" + offset + ", +" + size + ") lies outside storage '"
                    + key + "' of " + numel + " elements");
        }
        return new StorageRef(viewKey, dtype, size, root, offset);
    }

    Object data() {
        return data;
    }

    long fileSize() {
        return fileSize;
    }

    /** @return where each storage's bytes start in the file */
    Map<String, Long> dataOffsets() {
        return dataOffsets;
    }

    @Override
    public ByteBuffer read(StorageRef storage, long byteOffset, int length) throws IOException {
        Long start = dataOffsets.get(storage.key());
        if (start == null) {
            throw new BadFile("storage '" + storage.key() + "' is not in the file's storage list");
        }
        ByteBuffer b = ByteBuffer.allocateDirect(length);
        readFully(b, start + byteOffset, "storage '" + storage.key() + "'");
        b.flip();
        return b;
    }

    private void readFully(ByteBuffer b, long position, String what) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, p);
            if (n < 0) {
                throw new BadFile("file is truncated inside " + what);
            }
            p += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
