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

import static net.razorvine.pickle.Opcodes.BININT;
import static net.razorvine.pickle.Opcodes.BINPERSID;
import static net.razorvine.pickle.Opcodes.BINUNICODE;
import static net.razorvine.pickle.Opcodes.EMPTY_DICT;
import static net.razorvine.pickle.Opcodes.EMPTY_TUPLE;
import static net.razorvine.pickle.Opcodes.GLOBAL;
import static net.razorvine.pickle.Opcodes.LIST;
import static net.razorvine.pickle.Opcodes.LONG1;
import static net.razorvine.pickle.Opcodes.MARK;
import static net.razorvine.pickle.Opcodes.NEWFALSE;
import static net.razorvine.pickle.Opcodes.PROTO;
import static net.razorvine.pickle.Opcodes.REDUCE;
import static net.razorvine.pickle.Opcodes.SETITEMS;
import static net.razorvine.pickle.Opcodes.STOP;
import static net.razorvine.pickle.Opcodes.TUPLE;

/** Hand-assembled pickle opcodes and torch containers for tests (crafted files, including malicious ones). */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes proto(int version) {
        return new PickleBytes().op(PROTO, version);
    }

    /**
     * Appends opcodes, named as in {@link net.razorvine.pickle.Opcodes} (the table {@link SafeUnpickler} reads them
     * with), and the bytes of their arguments.
     */
    PickleBytes op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes global(String module, String name) {
        op(GLOBAL);
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(BINUNICODE);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
        return this;
    }

    PickleBytes integer(int v) {
        op(BININT);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    /** LONG1 with 8 bytes: any 64-bit value. */
    PickleBytes longValue(long v) {
        op(LONG1, 8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    PickleBytes ints(long... values) {
        op(MARK);
        for (long v : values) {
            longValue(v);
        }
        return op(TUPLE);
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage(key, type, numel), offset, size, stride, False, OrderedDict())}. */
    PickleBytes tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").op(MARK);
        op(MARK).str("storage").global("torch", storageType).str(key).str("cpu").longValue(numel).op(TUPLE);
        op(BINPERSID);
        longValue(offset);
        ints(size);
        ints(stride);
        op(NEWFALSE);
        global("collections", "OrderedDict").op(EMPTY_TUPLE, REDUCE);
        return op(TUPLE, REDUCE);
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
        PickleBytes p = proto(2).op(LONG1, magic.length);
        for (int i = magic.length - 1; i >= 0; i--) {
            p.op(magic[i] & 0xff);
        }
        p.op(STOP);
        p.op(PROTO, 2).integer(1001).op(STOP);
        p.op(PROTO, 2).op(EMPTY_DICT, STOP);
        return p.bytes();
    }

    /** The opening of a legacy checkpoint's main pickle: a dict and a mark, for its items; see {@link #legacyFile}. */
    static PickleBytes legacyDict() {
        return proto(2).op(EMPTY_DICT, MARK);
    }

    /**
     * A legacy torch.save file: the preamble, {@code main} (from {@link #legacyDict()} with its items; closed here),
     * the list of storage {@code keys}, then each storage as its element count (int64) and its bytes.
     */
    static byte[] legacyFile(PickleBytes main, String[] keys, long[] counts, byte[]... data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(legacyPreamble());
        b.writeBytes(main.op(SETITEMS, STOP).bytes());
        PickleBytes list = proto(2).op(MARK);
        for (String k : keys) {
            list.str(k);
        }
        b.writeBytes(list.op(LIST, STOP).bytes());
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
