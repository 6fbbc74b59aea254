package dev.vqclip.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an install put in a runtime folder: each file with its size and SHA-256, where it came from, and whether a
 * published checksum list vouched for the downloads. Written last (atomically), beside the folder.
 *
 * @param flavor     DJL's flavor name, e.g. {@code cu128}
 * @param version    PyTorch version
 * @param classifier platform
 * @param source     the base URL the file list came from
 * @param checksums  the checksum list that was enforced, or {@code null} when the source published none (then only
 *                   gzip's CRC-32 and length vouch for the files)
 * @param files      the unpacked files
 * @param links      extra names made in the folder (e.g. {@code libcudart.so} for DJL's GPU count), name to target
 */
public record RuntimeManifest(String flavor, String version, String classifier, String source, String checksums,
                              List<Entry> files, List<Link> links) {
    /** One unpacked file. */
    public record Entry(String name, long size, String sha256) {
    }

    /** A name made in the folder that points at a listed file. */
    public record Link(String name, String target) {
    }

    public RuntimeManifest {
        files = List.copyOf(files);
        links = List.copyOf(links);
    }

    /** @return the total size of the files */
    public long totalSize() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    /** Writes the manifest atomically. */
    public void write(Path target) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("flavor", flavor);
        root.put("version", version);
        root.put("classifier", classifier);
        root.put("source", source);
        root.put("checksums", checksums);
        ArrayNode fs = root.putArray("files");
        for (Entry e : files) {
            fs.addObject().put("name", e.name()).put("size", e.size()).put("sha256", e.sha256());
        }
        ArrayNode ls = root.putArray("links");
        for (Link l : links) {
            ls.addObject().put("name", l.name()).put("target", l.target());
        }
        byte[] json = om.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        AtomicFiles.write(target, out -> out.write(json));
    }

    /** @return the manifest at {@code p}, or empty when there is none or it does not parse */
    public static Optional<RuntimeManifest> read(Path p) {
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        try {
            JsonNode root = new ObjectMapper().readTree(p.toFile());
            List<Entry> files = new ArrayList<>();
            for (JsonNode n : root.path("files")) {
                files.add(new Entry(n.path("name").asText(), n.path("size").asLong(-1), n.path("sha256").asText()));
            }
            List<Link> links = new ArrayList<>();
            for (JsonNode n : root.path("links")) {
                links.add(new Link(n.path("name").asText(), n.path("target").asText()));
            }
            if (files.isEmpty()) {
                return Optional.empty();
            }
            JsonNode sums = root.path("checksums");
            return Optional.of(new RuntimeManifest(root.path("flavor").asText(), root.path("version").asText(),
                    root.path("classifier").asText(), root.path("source").asText(),
                    sums.isNull() || sums.isMissingNode() ? null : sums.asText(), files, links));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Checks the folder against the manifest by presence and size (cheap enough for every start; the SHA-256s are for
     * {@code vqclip runtime status --verify}-style checks and bug reports).
     *
     * @return empty when every file is there with its size, else what is wrong
     */
    public Optional<String> problem(Path folder) {
        for (Entry e : files) {
            Path f = folder.resolve(e.name());
            try {
                if (!Files.isRegularFile(f)) {
                    return Optional.of(e.name() + " is missing");
                }
                long size = Files.size(f);
                if (size != e.size()) {
                    return Optional.of(e.name() + " has " + size + " bytes, the install wrote " + e.size());
                }
            } catch (IOException ex) {
                return Optional.of(e.name() + " cannot be read: " + ex.getMessage());
            }
        }
        return Optional.empty();
    }
}
