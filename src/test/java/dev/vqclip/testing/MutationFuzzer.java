package dev.vqclip.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiPredicate;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.fail;

/**
 * A seeded mutation fuzzer for one file reader: starting from valid (and crafted) seed files, each case mutates a
 * seed (bit flips, random bytes, truncation, inserted/deleted/duplicated runs; for zip files also entry-level
 * mutations that get past the zip layer: an entry's content damaged and re-zipped, a JSON value replaced by an
 * extreme one, an entry dropped, duplicated under the same name or given another entry's content), runs the reader
 * on it in a worker thread with a time bound, and requires that it either loads or throws the project's own clear
 * exception. Any other exception, any {@link Error} and any case that runs past the bound fails the test with the
 * seed, the case number and the mutation, so it can be reproduced.
 */
public final class MutationFuzzer {
    /** The reader under test; returns normally when the file loads. */
    @FunctionalInterface
    public interface Reader {
        void read(Path file) throws Exception;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode[] EXTREMES = {
        JsonNodeFactory.instance.numberNode(2147483648L), JsonNodeFactory.instance.numberNode(-1),
        JsonNodeFactory.instance.numberNode(0), JsonNodeFactory.instance.numberNode(1e308),
        JsonNodeFactory.instance.numberNode(Long.MAX_VALUE), JsonNodeFactory.instance.numberNode(0.5),
        JsonNodeFactory.instance.textNode("NaN"), JsonNodeFactory.instance.textNode("inf"),
        JsonNodeFactory.instance.textNode(""), JsonNodeFactory.instance.textNode("../../etc/passwd"),
        JsonNodeFactory.instance.nullNode(), JsonNodeFactory.instance.arrayNode(),
        JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.booleanNode(true),
        JsonNodeFactory.instance.numberNode(65536), JsonNodeFactory.instance.numberNode(8192),
    };

    private final String name;
    private final List<Path> seeds;
    private final Reader reader;
    private final BiPredicate<Throwable, Path> clear;
    private final Path work;
    private final long seed;
    private final long boundMillis;

    /**
     * @param name the reader's name, printed with the case count
     * @param seeds files to start from
     * @param reader reads one file
     * @param clear whether a throwable is the reader's own clear exception for that file (type and message)
     * @param work a folder for the mutated files
     * @param seed the random seed ({@code -Dvqclip.fuzz.seed} overrides it)
     */
    public MutationFuzzer(String name, List<Path> seeds, Reader reader, BiPredicate<Throwable, Path> clear, Path work,
                          long seed) {
        this.name = name;
        this.seeds = List.copyOf(seeds);
        this.reader = reader;
        this.clear = clear;
        this.work = work;
        this.seed = Long.getLong("vqclip.fuzz.seed", seed);
        this.boundMillis = Long.getLong("vqclip.fuzz.boundMillis", 20_000);
    }

    /** A clear exception: one of {@code type} whose message starts with the file's path. */
    public static BiPredicate<Throwable, Path> namedBy(Class<? extends Throwable> type) {
        return (t, file) -> type.isInstance(t) && t.getMessage() != null && t.getMessage().startsWith(file.toString());
    }

    /**
     * Runs {@code cases} cases (scaled by {@code -Dvqclip.fuzz.scale}), prints the count and outcomes, and fails on
     * the first case that is neither a load nor a clear refusal.
     *
     * @return the number of cases run
     */
    public int run(int cases) throws Exception {
        int n = (int) Math.max(1, Math.round(cases * Double.parseDouble(System.getProperty("vqclip.fuzz.scale", "1"))));
        Random random = new Random(seed ^ name.hashCode());
        List<byte[]> seedBytes = new ArrayList<>();
        for (Path s : seeds) {
            seedBytes.add(Files.readAllBytes(s));
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> mutations = new TreeMap<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + name);
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < n; i++) {
                int which = random.nextInt(seedBytes.size());
                String seedName = seeds.get(which).getFileName().toString();
                List<String> applied = new ArrayList<>();
                byte[] bytes = mutate(seedBytes.get(which), random, applied);
                String ext = seedName.contains(".") ? seedName.substring(seedName.lastIndexOf('.')) : "";
                Path file = work.resolve(name.replaceAll("[^A-Za-z0-9]", "_") + "_" + i + ext);
                Files.write(file, bytes);
                String what = name + " case " + i + " (seed " + seed + ", from " + seedName + ", " + applied + ")";
                Future<?> f = pool.submit(() -> {
                    reader.read(file);
                    return null;
                });
                try {
                    f.get(boundMillis, TimeUnit.MILLISECONDS);
                    outcomes.merge("loaded", 1, Integer::sum);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    fail(what + " ran past " + boundMillis + " ms");
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable t = e.getCause();
                    if (!clear.test(t, file)) {
                        fail(what + " threw " + t, t);
                    }
                    outcomes.merge("refused", 1, Integer::sum);
                }
                applied.forEach(m -> mutations.merge(m.split(" ")[0], 1, Integer::sum));
                Files.delete(file);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("fuzz %-22s %5d cases in %5d ms: %s; mutations %s%n", name, n,
                (System.nanoTime() - t0) / 1_000_000, outcomes, mutations);
        return n;
    }

    private static byte[] mutate(byte[] seed, Random r, List<String> applied) throws IOException {
        boolean zip = seed.length > 4 && seed[0] == 'P' && seed[1] == 'K' && seed[2] == 3 && seed[3] == 4;
        if (zip && r.nextInt(3) != 0) {
            byte[] out = mutateZip(seed, r, applied);
            if (out != null) {
                return out;
            }
        }
        return mutateBytes(seed, r, applied, 1 + r.nextInt(3));
    }

    /** Byte-level mutations, {@code count} of them; most land in the first and last 16 KiB (headers, directories). */
    static byte[] mutateBytes(byte[] in, Random r, List<String> applied, int count) {
        byte[] b = in;
        for (int k = 0; k < count; k++) {
            if (b.length == 0) {
                applied.add("empty");
                return b;
            }
            int pos = position(b.length, r);
            switch (r.nextInt(7)) {
                case 0, 1 -> {
                    b = b == in ? b.clone() : b;
                    b[pos] ^= (byte) (1 << r.nextInt(8));
                    applied.add("flip");
                }
                case 2 -> {
                    b = b == in ? b.clone() : b;
                    int len = Math.min(b.length - pos, 1 + r.nextInt(8));
                    for (int j = 0; j < len; j++) {
                        b[pos + j] = (byte) (r.nextBoolean() ? r.nextInt(256) : r.nextBoolean() ? 0xff : 0);
                    }
                    applied.add("set");
                }
                case 3 -> {
                    b = Arrays.copyOf(b, pos);
                    applied.add("truncate");
                }
                case 4 -> {
                    byte[] ins = new byte[1 + r.nextInt(16)];
                    r.nextBytes(ins);
                    b = splice(b, pos, 0, ins);
                    applied.add("insert");
                }
                case 5 -> {
                    b = splice(b, pos, Math.min(b.length - pos, 1 + r.nextInt(64)), new byte[0]);
                    applied.add("delete");
                }
                default -> {
                    int len = Math.min(b.length - pos, 1 + r.nextInt(256));
                    b = splice(b, pos, 0, Arrays.copyOfRange(b, pos, pos + len));
                    applied.add("duplicate-run");
                }
            }
        }
        return b;
    }

    private static int position(int length, Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(Math.min(length, 16_384));
            case 1 -> length - 1 - r.nextInt(Math.min(length, 16_384));
            default -> r.nextInt(length);
        };
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** Entry-level mutations of a zip; null when the seed is not a zip this can read. */
    private static byte[] mutateZip(byte[] seed, Random r, List<String> applied) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, Boolean> stored = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(seed))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
                stored.put(e.getName(), e.getMethod() == ZipEntry.STORED);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (entries.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>(entries.keySet());
        String target = names.get(r.nextInt(names.size()));
        String duplicate = null;
        switch (r.nextInt(5)) {
            case 0, 1 -> {
                List<String> json = names.stream().filter(x -> x.endsWith(".json")).toList();
                if (!json.isEmpty() && r.nextBoolean()) {
                    target = json.get(r.nextInt(json.size()));
                }
                byte[] content = entries.get(target);
                if (target.endsWith(".json") && r.nextInt(4) != 0) {
                    content = mutateJson(content, r);
                    applied.add("json-value " + target);
                } else {
                    content = mutateBytes(content, r, new ArrayList<>(), 1 + r.nextInt(3));
                    applied.add("entry-bytes " + target);
                }
                entries.put(target, content);
            }
            case 2 -> {
                entries.remove(target);
                applied.add("drop " + target);
            }
            case 3 -> {
                duplicate = target;
                applied.add("duplicate " + target);
            }
            default -> {
                String other = names.get(r.nextInt(names.size()));
                entries.put(target, entries.get(other));
                applied.add("content of " + other + " as " + target);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String placeholder = duplicate == null ? null : "\u0001" + duplicate.substring(1);
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                Zips.put(z, e.getKey(), e.getValue(), stored.get(e.getKey()));
                if (e.getKey().equals(duplicate)) {
                    Zips.put(z, placeholder, mutateBytes(e.getValue(), r, new ArrayList<>(), 1), stored.get(e.getKey()));
                }
            }
        }
        byte[] b = out.toByteArray();
        if (placeholder != null) {
            // give the copy the same name in its local header and in the central directory
            byte[] from = placeholder.getBytes(StandardCharsets.UTF_8);
            byte[] to = duplicate.getBytes(StandardCharsets.UTF_8);
            if (from.length == to.length) {
                for (int i = 0; i + from.length <= b.length; i++) {
                    if (Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
                        System.arraycopy(to, 0, b, i, to.length);
                    }
                }
            }
        }
        return b;
    }

    /** Replaces one value of a JSON document (any depth) by an extreme one. */
    private static byte[] mutateJson(byte[] json, Random r) {
        try {
            JsonNode root = JSON.readTree(json);
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            if (containers.isEmpty()) {
                return json;
            }
            JsonNode c = containers.get(r.nextInt(containers.size()));
            JsonNode v = EXTREMES[r.nextInt(EXTREMES.length)];
            if (c instanceof ObjectNode o) {
                List<String> keys = new ArrayList<>();
                o.fieldNames().forEachRemaining(keys::add);
                if (!keys.isEmpty()) {
                    o.set(keys.get(r.nextInt(keys.size())), v);
                }
            } else if (c instanceof ArrayNode a && !a.isEmpty()) {
                a.set(r.nextInt(a.size()), v);
            }
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            return json;
        }
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(c -> collect(c, out));
        }
    }
}
