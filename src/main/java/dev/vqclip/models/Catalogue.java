package dev.vqclip.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The published models users can download: read from the JSON resource {@code dev/vqclip/models/catalogue.json}
 * (format in {@code docs/models.md}). Entries keep file order, which is also the order of preference when the
 * resolver picks "the best installed model" of a kind. Immutable and thread-safe.
 */
public final class Catalogue {
    /** System property naming a catalogue file to use instead of the bundled one (tests, private catalogues). */
    public static final String CATALOGUE_PROPERTY = "vqclip.catalogue";
    private static final String RESOURCE = "/dev/vqclip/models/catalogue.json";
    private static final int FORMAT_VERSION = 1;

    private final String source;
    private final List<ModelEntry> entries;

    /**
     * A catalogue of the given entries (in preference order).
     *
     * @throws IllegalArgumentException for duplicate names or file names, or unknown requirements
     */
    public Catalogue(String source, List<ModelEntry> entries) {
        this.source = source;
        this.entries = List.copyOf(entries);
        validate();
    }

    /**
     * Loads the catalogue: the file named by the system property {@value #CATALOGUE_PROPERTY} if set, else the
     * bundled resource.
     *
     * @throws ModelException if the catalogue cannot be read or is malformed (the message names the source)
     */
    public static Catalogue load() {
        String override = System.getProperty(CATALOGUE_PROPERTY);
        if (override != null && !override.isBlank()) {
            return load(Path.of(override));
        }
        try (InputStream in = Catalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new ModelException("the model catalogue " + RESOURCE + " is missing from the class path");
            }
            return parse(in, "bundled catalogue " + RESOURCE);
        } catch (IOException e) {
            throw new ModelException("cannot read the bundled catalogue " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Loads a catalogue file. */
    public static Catalogue load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new ModelException("cannot read the model catalogue " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses catalogue JSON; {@code source} is used in error messages. */
    public static Catalogue parse(InputStream in, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (JsonProcessingException e) {
            throw new ModelException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelException("cannot read " + source + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(source + ": expected a JSON object with \"version\" and \"models\"");
        }
        int version = root.path("version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new ModelException(source + ": catalogue format version " + root.path("version")
                    + " is not supported (this build reads version " + FORMAT_VERSION + ")");
        }
        JsonNode models = root.path("models");
        if (!models.isArray()) {
            throw new ModelException(source + ": \"models\" must be an array");
        }
        List<ModelEntry> entries = new ArrayList<>();
        int i = 0;
        for (JsonNode m : models) {
            String where = source + ": models[" + i++ + "]";
            try {
                entries.add(entry(m, where));
            } catch (IllegalArgumentException e) {
                throw new ModelException(where + ": " + e.getMessage(), e);
            }
        }
        try {
            return new Catalogue(source, entries);
        } catch (IllegalArgumentException e) {
            throw new ModelException(source + ": " + e.getMessage(), e);
        }
    }

    private static ModelEntry entry(JsonNode m, String where) {
        if (!m.isObject()) {
            throw new IllegalArgumentException("expected an object");
        }
        String name = text(m, "name", true);
        List<ModelFile> files = new ArrayList<>();
        for (JsonNode f : m.path("files")) {
            files.add(file(f, name));
        }
        return new ModelEntry(name, ModelKind.parse(text(m, "kind", true)), strings(m.path("aliases")),
                text(m, "description", false), strings(m.path("requires")), files);
    }

    private static ModelFile file(JsonNode f, String model) {
        if (!f.isObject()) {
            throw new IllegalArgumentException(model + ": each file must be an object");
        }
        List<URI> urls = new ArrayList<>();
        for (String u : strings(f.path("urls"))) {
            try {
                urls.add(new URI(u));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(model + ": bad URL '" + u + "': " + e.getMessage());
            }
        }
        return new ModelFile(text(f, "file", true), FileRole.parse(text(f, "role", true)), number(f, "size"),
                number(f, "approxSize"), text(f, "sha256", false), urls, text(f, "note", false));
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException("missing \"" + field + "\"");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    private static Long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number of bytes or null");
        }
        return v.asLong();
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        if (arr.isMissingNode() || arr.isNull()) {
            return out;
        }
        if (!arr.isArray()) {
            throw new IllegalArgumentException("expected an array of strings");
        }
        for (JsonNode s : arr) {
            if (!s.isTextual()) {
                throw new IllegalArgumentException("expected an array of strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    private void validate() {
        Set<String> names = new HashSet<>();
        Set<String> fileNames = new HashSet<>();
        for (ModelEntry e : entries) {
            for (String n : concat(e.name(), e.aliases())) {
                if (!names.add(n.toLowerCase(java.util.Locale.ROOT))) {
                    throw new IllegalArgumentException("the name or alias '" + n + "' is used twice");
                }
            }
            for (ModelFile f : e.files()) {
                if (!fileNames.add(f.fileName())) {
                    throw new IllegalArgumentException("the file name '" + f.fileName()
                            + "' is used twice (mirrors serve files by name, so names must be unique)");
                }
            }
        }
        for (ModelEntry e : entries) {
            for (String r : e.requires()) {
                if (find(r).isEmpty()) {
                    throw new IllegalArgumentException(e.name() + " requires '" + r + "', which is not in the catalogue");
                }
            }
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /** @return where this catalogue was read from */
    public String source() {
        return source;
    }

    /** @return all entries in catalogue order */
    public List<ModelEntry> entries() {
        return entries;
    }

    /** @return the entries of one kind, in catalogue (= preference) order */
    public List<ModelEntry> entries(ModelKind kind) {
        return entries.stream().filter(e -> e.kind() == kind).collect(Collectors.toList());
    }

    /** @return the entry with this name or alias (ignoring case) */
    public Optional<ModelEntry> find(String nameOrAlias) {
        return entries.stream().filter(e -> e.answersTo(nameOrAlias)).findFirst();
    }

    /** @return the entry; throws a message listing the known names when there is none */
    public ModelEntry require(String nameOrAlias) {
        return find(nameOrAlias).orElseThrow(() -> new ModelException("unknown model '" + nameOrAlias
                + "'; known models: " + entries.stream().map(ModelEntry::name).collect(Collectors.joining(", "))));
    }

    /** @return the entry followed by everything it requires (transitively), each once, requirements first */
    public List<ModelEntry> withRequirements(ModelEntry entry) {
        List<ModelEntry> out = new ArrayList<>();
        addWithRequirements(entry, out, new HashSet<>());
        return out;
    }

    private void addWithRequirements(ModelEntry e, List<ModelEntry> out, Set<String> visiting) {
        if (out.contains(e) || !visiting.add(e.name())) {
            return;
        }
        for (String r : e.requires()) {
            addWithRequirements(require(r), out, visiting);
        }
        out.add(e);
    }
}
