package dev.vqclip.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vqclip.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Hugging Face safetensors: an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of the header) plus an optional
 * string-to-string {@code __metadata__}, then the raw little-endian tensor bytes. The demo models ship in this format.
 */
public final class Safetensors {
    /** The reference implementation refuses headers above 100 MB; so do we. */
    private static final long MAX_HEADER = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private record Header(Map<String, String> metadata, List<Entry> entries, long dataStart) {
    }

    /**
     * Reads every tensor.
     *
     * @return tensors in the order of their data in the file, dtypes as stored
     * @throws WeightsException naming the file when the header or the data are malformed or truncated
     */
    public static StateDict read(Path file) {
        return read(file, name -> true);
    }

    /** Reads the tensors whose names pass {@code keep} (the others' bytes are never read). */
    public static StateDict read(Path file, Predicate<String> keep) {
        return WeightFiles.guard(file, () -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                Header h = header(ch);
                Map<String, Entry> byName = new LinkedHashMap<>();
                h.entries().forEach(e -> byName.put(e.name(), e));
                Map<String, RawTensor> out = new LinkedHashMap<>();
                for (Entry e : WeightFiles.select(byName, keep).values()) {
                    ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(e.end() - e.begin()));
                    long p = h.dataStart() + e.begin();
                    while (b.hasRemaining()) {
                        int n = ch.read(b, p);
                        if (n < 0) {
                            throw new BadFile("file is truncated inside tensor '" + e.name() + "'");
                        }
                        p += n;
                    }
                    b.flip();
                    out.put(e.name(), new RawTensor(e.dtype(), e.shape(), b));
                }
                return new StateDict(file.toString(), out);
            }
        });
    }

    /** @return the {@code __metadata__} strings of the header (empty when absent) */
    public static Map<String, String> readMetadata(Path file) {
        return WeightFiles.guard(file, () -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                return header(ch).metadata();
            }
        });
    }

    private static Header header(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new BadFile("too short for a safetensors file (" + size + " bytes)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER || n > size - 8) {
            throw new BadFile("safetensors header length " + Long.toUnsignedString(n) + " is impossible for a file of "
                    + size + " bytes");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        while (hb.hasRemaining()) {
            if (ch.read(hb, 8 + hb.position()) < 0) {
                throw new BadFile("file is truncated inside the safetensors header");
            }
        }
        JsonNode root;
        try {
            root = JSON.readTree(hb.array());
        } catch (IOException e) {
            throw new BadFile("safetensors header is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new BadFile("safetensors header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new BadFile("safetensors __metadata__ is not an object");
                }
                v.fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) {
                        throw new BadFile("safetensors __metadata__ value '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            entries.add(entry(name, v, dataLen));
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long end = 0;
        for (Entry e : entries) {
            if (e.begin() < end) {
                throw new BadFile("tensor '" + e.name() + "' overlaps the previous tensor's data");
            }
            end = e.end();
        }
        return new Header(metadata, entries, dataStart);
    }

    private static Entry entry(String name, JsonNode v, long dataLen) {
        String what = "tensor '" + name + "'";
        JsonNode dt = v.get("dtype");
        JsonNode shapeNode = v.get("shape");
        JsonNode offsets = v.get("data_offsets");
        if (dt == null || !dt.isTextual() || shapeNode == null || !shapeNode.isArray() || offsets == null
                || !offsets.isArray() || offsets.size() != 2) {
            throw new BadFile(what + " lacks dtype, shape or data_offsets in the safetensors header");
        }
        DType dtype = switch (dt.asText()) {
            case "F64" -> DType.FLOAT64;
            case "F32" -> DType.FLOAT32;
            case "F16" -> DType.FLOAT16;
            case "BF16" -> DType.BFLOAT16;
            case "I64" -> DType.INT64;
            case "I32" -> DType.INT32;
            case "I16" -> DType.INT16;
            case "I8" -> DType.INT8;
            case "U8" -> DType.UINT8;
            case "BOOL" -> DType.BOOL;
            default -> throw new BadFile(what + " has unsupported dtype " + TorchZip.abbreviate(dt.asText()));
        };
        if (shapeNode.size() > 64) {
            throw new BadFile(what + " has " + shapeNode.size() + " dimensions");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        try {
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                    throw new BadFile(what + " has an invalid dimension " + d);
                }
                shape[i] = d.asLong();
                numel = Math.multiplyExact(numel, shape[i]);
            }
            Math.multiplyExact(numel, (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new BadFile(what + " claims a shape " + Arrays.toString(shape) + " whose size overflows");
        }
        JsonNode b = offsets.get(0);
        JsonNode e = offsets.get(1);
        if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
            throw new BadFile(what + " has invalid data_offsets");
        }
        long begin = b.asLong();
        long end = e.asLong();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new BadFile(what + " has data_offsets [" + begin + ", " + end + ") outside the " + dataLen
                    + " data bytes (truncated file?)");
        }
        if (end - begin != numel * dtype.size()) {
            throw new BadFile(what + " of shape " + Arrays.toString(shape) + " and type " + dtype + " needs "
                    + numel * dtype.size() + " bytes but its data_offsets span " + (end - begin));
        }
        if (end - begin > TensorRef.MAX_BYTES) {
            throw new BadFile(what + " is larger than this reader supports (2 GiB per tensor)");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /**
     * Writes tensors (in map order) and optional metadata. The file is written beside the target and moved into
     * place, so a failed write never leaves a half-written model.
     *
     * @param metadata string pairs stored as {@code __metadata__}; may be empty
     */
    public static void write(Path file, Map<String, RawTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, RawTensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' cannot be a tensor name");
            }
            RawTensor t = e.getValue();
            long bytes = t.numel() * t.dtype().size();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", code(t.dtype()));
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(file, out -> {
            WritableByteChannel ch = Channels.newChannel(out);
            writeFully(ch, head);
            for (RawTensor t : tensors.values()) {
                writeFully(ch, t.bytes());
            }
        });
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String code(DType d) {
        return switch (d) {
            case FLOAT64 -> "F64";
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT16 -> "I16";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOL -> "BOOL";
        };
    }
}
