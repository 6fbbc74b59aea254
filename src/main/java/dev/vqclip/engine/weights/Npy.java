package dev.vqclip.engine.weights;

import dev.vqclip.engine.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0/2.0, C order, little-endian {@code <f4 <f8 <f2 <i8 <i4 |u1 |b1}).
 * Used for run state, embeddings and the reference vectors.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Largest array this reader allocates (2 GiB of data). */
    private static final long MAX_BYTES = Integer.MAX_VALUE;

    private Npy() {
    }

    public static RawTensor read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read .npy: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a {@code .npy} array from a stream.
     *
     * @param name names the file (and entry) in error messages
     * @throws WeightsException starting with {@code name} when the data is not a well-formed, supported array
     */
    public static RawTensor read(InputStream in, String name) throws IOException {
        try {
            return readArray(in, name);
        } catch (WeightsException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new WeightsException(name + ": malformed .npy file (" + e + ")", e);
        }
    }

    private static RawTensor readArray(InputStream in, String name) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8) {
            throw new WeightsException(name + ": not a .npy file (too short)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new WeightsException(name + ": not a .npy file (bad magic)");
            }
        }
        int major = magic[6];
        int headerLen;
        byte[] l = in.readNBytes(major == 1 ? 2 : 4);
        if (l.length < (major == 1 ? 2 : 4)) {
            throw new WeightsException(name + ": .npy file is truncated in its header");
        }
        if (major == 1) {
            headerLen = (l[0] & 0xff) | (l[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            headerLen = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
        } else {
            throw new WeightsException(name + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || headerLen > 1 << 20) {
            throw new WeightsException(name + ": .npy header length " + headerLen + " is not plausible");
        }
        String header = new String(in.readNBytes(headerLen), StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new WeightsException(name + ": malformed .npy header: " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new WeightsException(name + ": Fortran-order .npy arrays are not supported");
        }
        DType dtype = switch (d.group(1)) {
            case "<f4" -> DType.FLOAT32;
            case "<f8" -> DType.FLOAT64;
            case "<f2" -> DType.FLOAT16;
            case "<i8" -> DType.INT64;
            case "<i4" -> DType.INT32;
            case "|u1" -> DType.UINT8;
            case "|b1" -> DType.BOOL;
            default -> throw new WeightsException(name + ": unsupported .npy dtype " + d.group(1));
        };
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                dims.add(Long.parseLong(p));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long bytes;
        try {
            bytes = Math.multiplyExact(RawTensor.numel(shape), dtype.size());
        } catch (ArithmeticException e) {
            throw new WeightsException(name + ": .npy shape overflows", e);
        }
        if (bytes > MAX_BYTES) {
            throw new WeightsException(name + ": .npy array of " + bytes + " bytes is too large");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length != bytes) {
            throw new WeightsException(name + ": .npy file is truncated (" + data.length + " of " + bytes + " bytes)");
        }
        return new RawTensor(dtype, shape, ByteBuffer.wrap(data));
    }

    /** Writes float32 values with the given shape. */
    public static void writeFloats(Path file, float[] values, long... shape) throws IOException {
        write(file, RawTensor.ofFloats(values, shape));
    }

    /** Writes the array to {@code file} atomically (see {@link AtomicFiles}). */
    public static void write(Path file, RawTensor t) throws IOException {
        AtomicFiles.write(file, out -> write(out, t));
    }

    public static void write(OutputStream out, RawTensor t) throws IOException {
        String descr = switch (t.dtype()) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case FLOAT16 -> "<f2";
            case INT64 -> "<i8";
            case INT32 -> "<i4";
            case UINT8 -> "|u1";
            case BOOL -> "|b1";
            default -> throw new IllegalArgumentException("cannot write " + t.dtype() + " to .npy");
        };
        long[] shape = t.shape();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) {
                sb.append(shape.length == 1 ? "," : ", ");
            }
        }
        String header = String.format(Locale.ROOT, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                descr, sb);
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(MAGIC);
        h.write(1);
        h.write(0);
        int len = header.length() + pad + 1;
        h.write(len & 0xff);
        h.write(len >> 8 & 0xff);
        h.write(header.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < pad; i++) {
            h.write(' ');
        }
        h.write('\n');
        out.write(h.toByteArray());
        ByteBuffer b = t.bytes();
        byte[] data = new byte[b.remaining()];
        b.get(data);
        out.write(data);
    }
}
