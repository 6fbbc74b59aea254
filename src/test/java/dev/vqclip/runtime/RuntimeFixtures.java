package dev.vqclip.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The real CPU libtorch of the {@code pytorch-native-cpu} jar on the test class path, unpacked and gzipped once into
 * {@code target/runtime-fixture} (about 450 MB and 150 MB; reused by later runs).
 */
final class RuntimeFixtures {
    static final String RESOURCE_DIR = "/pytorch/cpu/linux-x86_64/";
    private static final Path DIR = Path.of("target", "runtime-fixture");

    private RuntimeFixtures() {
    }

    /** @return the names of the libraries the jar holds (libtorch.so, libtorch_cpu.so, ...) */
    static List<String> libraries() throws IOException {
        Properties p = new Properties();
        try (InputStream in = RuntimeFixtures.class.getResourceAsStream("/native/lib/pytorch.properties")) {
            if (in == null) {
                throw new IllegalStateException("pytorch-native-cpu is not on the test class path");
            }
            p.load(in);
        }
        return List.of(p.getProperty("libraries").split(","));
    }

    /** @return the unpacked original of {@code name} */
    static synchronized Path original(String name) throws IOException {
        Path out = DIR.resolve("orig").resolve(name);
        if (!Files.isRegularFile(out)) {
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling(name + ".tmp");
            try (InputStream in = RuntimeFixtures.class.getResourceAsStream(RESOURCE_DIR + name)) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return out;
    }

    /** @return {@code name} gzipped (fastest level: the test is about where files land, not about compression) */
    static synchronized Path gzipped(String name) throws IOException {
        Path out = DIR.resolve("gz").resolve(name + ".gz");
        if (!Files.isRegularFile(out)) {
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling(name + ".gz.tmp");
            try (InputStream in = Files.newInputStream(original(name));
                 OutputStream o = new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16) {
                     {
                         def.setLevel(Deflater.BEST_SPEED);
                     }
                 }) {
                in.transferTo(o);
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return out;
    }

    /** @return gzip of {@code data} */
    static byte[] gzip(byte[] data) throws IOException {
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bo)) {
            o.write(data);
        }
        return bo.toByteArray();
    }

    /** @return a files.txt listing {@code names} for {@code prefix}, plus lines of other builds */
    static String fileList(String prefix, List<String> names) {
        List<String> lines = new ArrayList<>();
        lines.add("cu128/linux-x86_64/native/lib/libtorch.so.gz");
        lines.add("cpu/osx-aarch64/native/lib/libtorch.dylib.gz");
        for (String n : names) {
            lines.add(prefix + n + ".gz");
        }
        lines.add("cu128/win-x86_64/native/lib/torch.dll.gz");
        return String.join("\n", lines) + "\n";
    }
}
