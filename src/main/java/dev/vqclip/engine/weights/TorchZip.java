package dev.vqclip.engine.weights;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A PyTorch zip archive: {@code torch.save} (≥ 1.6) files and TorchScript archives. Both keep the pickled object in
 * {@code <root>/data.pkl} and each storage in the uncompressed entry {@code <root>/data/<key>}; the root folder name
 * varies. TorchScript archives also have {@code constants.pkl} and {@code code/}. Storage bytes are read on demand
 * from the zip entries, so the archive is never held in memory.
 */
final class TorchZip implements StorageReader, Closeable {
    private static final long MAX_PICKLE = 256L << 20;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

    private final ZipFile zip;
    private final String root;
    private final boolean torchScript;
    private final long fileSize;
    private final Map<String, StorageRef> storages = new HashMap<>();

    private TorchZip(ZipFile zip, String root, boolean torchScript, long fileSize) {
        this.zip = zip;
        this.root = root;
        this.torchScript = torchScript;
        this.fileSize = fileSize;
    }

    /** Opens the archive and finds its root folder; throws {@link BadFile} when it is not a PyTorch archive. */
    static TorchZip open(Path file) throws IOException {
        ZipFile zip = new ZipFile(file.toFile());
        try {
            String root = null;
            boolean script = false;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                int slash = name.indexOf('/');
                String rest = slash < 0 ? name : name.substring(slash + 1);
                String prefix = slash < 0 ? "" : name.substring(0, slash + 1);
                if (rest.equals("data.pkl")) {
                    if (root != null && !root.equals(prefix)) {
                        throw new BadFile("zip archive has several data.pkl entries ('" + root + "data.pkl', '"
                                + name + "')");
                    }
                    root = prefix;
                }
            }
            if (root == null) {
                boolean oldScript = zip.getEntry("model.json") != null || hasEntryEnding(zip, "/model.json");
                throw new BadFile(oldScript
                        ? "TorchScript archive of the pre-1.4 layout (model.json) is not supported; re-save it"
                        : "zip archive without a data.pkl entry: not a PyTorch file");
            }
            script = zip.getEntry(root + "constants.pkl") != null;
            if (!script) {
                Enumeration<? extends ZipEntry> again = zip.entries();
                while (again.hasMoreElements() && !script) {
                    script = again.nextElement().getName().startsWith(root + "code/");
                }
            }
            ZipEntry order = zip.getEntry(root + "byteorder");
            if (order != null) {
                byte[] b = readEntry(zip, order, 16);
                if (!new String(b, StandardCharsets.US_ASCII).trim().equals("little")) {
                    throw new BadFile("big-endian PyTorch archives are not supported");
                }
            }
            return new TorchZip(zip, root, script, Files.size(file));
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static boolean hasEntryEnding(ZipFile zip, String suffix) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            if (entries.nextElement().getName().endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    boolean isTorchScript() {
        return torchScript;
    }

    long fileSize() {
        return fileSize;
    }

    /** Unpickles {@code data.pkl}; tensors come back as {@link TensorRef}s into this archive. */
    Object readData() throws IOException {
        ZipEntry e = zip.getEntry(root + "data.pkl");
        byte[] pickle = readEntry(zip, e, MAX_PICKLE);
        SafeUnpickler u = new SafeUnpickler(torchScript, this::storage, pickle.length);
        return u.read(new ByteArrayInputStream(pickle));
    }

    private StorageRef storage(String key, DType dtype, long numel, Object view) {
        if (view != null) {
            throw new BadFile("storage '" + key + "' is a legacy storage view inside a zip archive");
        }
        if (!KEY.matcher(key).matches()) {
            throw new BadFile("storage key '" + abbreviate(key) + "' is not a plain name");
        }
        StorageRef known = storages.get(key);
        if (known != null) {
            if (known.dtype() != dtype || known.numel() != numel) {
                throw new BadFile("storage '" + key + "' is described twice with different types or sizes");
            }
            return known;
        }
        StorageRef s = new StorageRef(key, dtype, numel, null, 0);
        ZipEntry e = zip.getEntry(root + "data/" + key);
        if (e == null) {
            throw new BadFile("storage '" + key + "' has no entry " + root + "data/" + key);
        }
        if (e.getMethod() != ZipEntry.STORED) {
            throw new BadFile("storage entry " + e.getName() + " is compressed; PyTorch stores them uncompressed");
        }
        long size = e.getSize();
        if (size < 0 || size > fileSize) {
            throw new BadFile("storage entry " + e.getName() + " claims " + size + " bytes in a file of "
                    + fileSize);
        }
        if (s.byteSize() > size) {
            throw new BadFile("storage '" + key + "' claims " + numel + " " + dtype + " elements (" + s.byteSize()
                    + " bytes) but its entry holds " + size + " bytes");
        }
        storages.put(key, s);
        return s;
    }

    @Override
    public ByteBuffer read(StorageRef storage, long byteOffset, int length) throws IOException {
        ZipEntry e = zip.getEntry(root + "data/" + storage.key());
        try (InputStream in = zip.getInputStream(e)) {
            in.skipNBytes(byteOffset);
            ByteBuffer out = ByteBuffer.allocateDirect(length);
            byte[] chunk = new byte[Math.min(length, 1 << 20)];
            while (out.hasRemaining()) {
                int n = in.read(chunk, 0, Math.min(chunk.length, out.remaining()));
                if (n < 0) {
                    throw new BadFile("storage entry " + e.getName() + " ends early (truncated file?)");
                }
                out.put(chunk, 0, n);
            }
            return out.flip();
        } catch (java.io.EOFException ex) {
            throw new BadFile("storage entry " + e.getName() + " ends early (truncated file?)", ex);
        } catch (java.util.zip.ZipException ex) {
            throw new BadFile("zip entry " + e.getName() + " is corrupt (" + ex.getMessage() + ")", ex);
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry e, long max) throws IOException {
        long size = e.getSize();
        if (size > max) {
            throw new BadFile("entry " + e.getName() + " claims " + size + " bytes (more than " + max + ")");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(max, size < 0 ? max : size) + 1);
            if (b.length > max || size >= 0 && b.length != size) {
                throw new BadFile("entry " + e.getName() + " does not have its declared size " + size);
            }
            return b;
        } catch (java.util.zip.ZipException ex) {
            throw new BadFile("zip entry " + e.getName() + " is corrupt (" + ex.getMessage() + ")", ex);
        }
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
