package dev.vqclip.models;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Builders for test catalogue entries over random fixture bytes. */
final class TestModels {
    private TestModels() {
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        b[0] = 'P'; // random data must not start like an HTML page by accident
        return b;
    }

    /** A file with exact size and the SHA-256 of {@code data}. */
    static ModelFile verified(String name, FileRole role, byte[] data, URI... urls) {
        return new ModelFile(name, role, (long) data.length, null, Hashing.sha256(data), Arrays.asList(urls), null);
    }

    /** A file whose size is known but whose publisher gives no checksum. */
    static ModelFile sizeOnly(String name, FileRole role, byte[] data, URI... urls) {
        return new ModelFile(name, role, (long) data.length, null, null, Arrays.asList(urls), null);
    }

    static ModelEntry entry(String name, ModelKind kind, ModelFile... files) {
        return new ModelEntry(name, kind, List.of(), "test model " + name, List.of(), Arrays.asList(files));
    }

    /** A structure check that accepts everything (the fixtures are random bytes, not real checkpoints). */
    static StructureCheck anyStructure() {
        return (e, files) -> {
        };
    }
}
