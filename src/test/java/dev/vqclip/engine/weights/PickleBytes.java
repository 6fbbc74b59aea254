package dev.vqclip.engine.weights;

import dev.vqclip.testing.Zips;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipOutputStream;

/** Hand-assembled pickle opcodes and torch containers for tests (crafted files, including malicious ones). */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes proto(int version) {
        PickleBytes p = new PickleBytes();
        p.raw(0x80, version);
        return p;
    }

    PickleBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
        return this;
    }

    PickleBytes integer(int v) {
        out.write('J');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    /** LONG1 with 8 bytes: any 64-bit value. */
    PickleBytes longValue(long v) {
        out.write(0x8a);
        out.write(8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    PickleBytes ints(long... values) {
        mark();
        for (long v : values) {
            longValue(v);
        }
        return tuple();
    }

    PickleBytes mark() {
        return raw('(');
    }

    PickleBytes tuple() {
        return raw('t');
    }

    PickleBytes emptyTuple() {
        return raw(')');
    }

    PickleBytes tuple1() {
        return raw(0x85);
    }

    PickleBytes reduce() {
        return raw('R');
    }

    PickleBytes binpersid() {
        return raw('Q');
    }

    PickleBytes emptyDict() {
        return raw('}');
    }

    PickleBytes setitems() {
        return raw('u');
    }

    PickleBytes falseValue() {
        return raw(0x89);
    }

    PickleBytes stop() {
        return raw('.');
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage(key, type, numel), offset, size, stride, False, OrderedDict())}. */
    PickleBytes tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").longValue(numel).tuple();
        binpersid();
        longValue(offset);
        ints(size);
        ints(stride);
        falseValue();
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple();
        return reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Writes a torch zip archive: {@code root/data.pkl}, {@code root/data/<key>} entries (stored), version. */
    static Path torchZip(Path file, String root, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            Zips.stored(zip, root + "/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                Zips.stored(zip, root + "/data/" + e.getKey(), e.getValue());
            }
            Zips.stored(zip, root + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    /** The first three pickles of a legacy torch.save file: magic number, protocol 1001, sys info. */
    static byte[] legacyPreamble() {
        byte[] magic = new java.math.BigInteger("1950a86a20f9469cfc6c", 16).toByteArray();
        PickleBytes p = proto(2).raw(0x8a, magic.length);
        for (int i = magic.length - 1; i >= 0; i--) {
            p.raw(magic[i] & 0xff);
        }
        p.stop();
        p.raw(0x80, 2).integer(1001).stop();
        p.raw(0x80, 2).emptyDict().stop();
        return p.bytes();
    }

    /** The opening of a legacy checkpoint's main pickle: a dict and a mark, for its items; see {@link #legacyFile}. */
    static PickleBytes legacyDict() {
        return proto(2).emptyDict().mark();
    }

    /**
     * A legacy torch.save file: the preamble, {@code main} (from {@link #legacyDict()} with its items; closed here),
     * the list of storage {@code keys}, then each storage as its element count (int64) and its bytes.
     */
    static byte[] legacyFile(PickleBytes main, String[] keys, long[] counts, byte[]... data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(legacyPreamble());
        b.writeBytes(main.setitems().stop().bytes());
        PickleBytes list = proto(2).mark();
        for (String k : keys) {
            list.str(k);
        }
        b.writeBytes(list.raw('l').stop().bytes());
        for (int i = 0; i < counts.length; i++) {
            b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(counts[i]).array());
            b.writeBytes(data[i]);
        }
        return b.toByteArray();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }
}
