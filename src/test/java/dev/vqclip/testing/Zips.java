package dev.vqclip.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.function.BiFunction;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Zip writing the tests that craft run, session and torch.save files share. */
public final class Zips {
    private Zips() {
    }

    /** Writes {@code data} as an uncompressed (STORED) zip entry, as torch.save does. */
    public static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        put(zip, name, data, true);
    }

    /** Writes {@code data} as one zip entry, uncompressed (STORED, with its size and CRC) or deflated. */
    public static void put(ZipOutputStream zip, String name, byte[] data, boolean stored) throws IOException {
        ZipEntry e = new ZipEntry(name);
        if (stored) {
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * An edit for {@link #copy}: in the entry {@code entry} (UTF-8 text), which must contain {@code from}, each
     * {@code from} becomes {@code to}; the other entries stay as they are.
     */
    public static BiFunction<String, byte[], byte[]> replaceIn(String entry, String from, String to) {
        return (name, data) -> {
            if (!name.equals(entry)) {
                return data;
            }
            String s = new String(data, StandardCharsets.UTF_8);
            assertThat(s).as(entry).contains(from);
            return s.replace(from, to).getBytes(StandardCharsets.UTF_8);
        };
    }

    /**
     * Copies the zip file {@code from} to {@code to} entry by entry (deflated, in their order), each through
     * {@code edit(name, bytes)}; an entry for which it returns null is dropped.
     */
    public static Path copy(Path from, Path to, BiFunction<String, byte[], byte[]> edit) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile());
             OutputStream os = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> it = in.entries(); it.hasMoreElements(); ) {
                ZipEntry e = it.nextElement();
                byte[] data;
                try (InputStream d = in.getInputStream(e)) {
                    data = d.readAllBytes();
                }
                byte[] changed = edit.apply(e.getName(), data);
                if (changed != null) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(changed);
                    out.closeEntry();
                }
            }
        }
        return to;
    }
}
