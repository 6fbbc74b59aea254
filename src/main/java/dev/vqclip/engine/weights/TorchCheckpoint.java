package dev.vqclip.engine.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * A {@code torch.save} file (zip or legacy): the top-level object for metadata (Lightning's {@code epoch},
 * {@code global_step}, {@code pytorch-lightning_version}, ...) and the state dict.
 *
 * <p>In {@link #topLevel()} Python values appear as Java values: dict → {@code Map} (insertion order), list →
 * {@code List}, tuple → {@code Object[]}, int → {@code Integer}/{@code Long}/{@code BigInteger}, float →
 * {@code Double}, str → {@code String}, bytes → {@code byte[]}, None → null, a tensor → {@link TensorRef} (a
 * description only; {@link #tensor(TensorRef)} reads it), an allow-listed class reference → {@link PickleGlobal}.
 * Only the state-dict tensors are read eagerly, so optimiser states in a checkpoint cost no memory.
 */
public final class TorchCheckpoint {
    private final Path file;
    private final WeightFiles.Format format;
    private final Map<Object, Object> topLevel;
    private final StateDict stateDict;

    private TorchCheckpoint(Path file, WeightFiles.Format format, Map<Object, Object> topLevel, StateDict sd) {
        this.file = file;
        this.format = format;
        this.topLevel = Collections.unmodifiableMap(topLevel);
        this.stateDict = sd;
    }

    /**
     * Reads a torch.save checkpoint and its state-dict tensors.
     *
     * @throws WeightsException naming the file for anything but a readable zip or legacy torch.save dict
     */
    public static TorchCheckpoint read(Path file) {
        return read(file, name -> true);
    }

    /**
     * Reads a torch.save checkpoint and those state-dict tensors whose names pass {@code keep}.
     *
     * @throws WeightsException naming the file for anything but a readable zip or legacy torch.save dict
     */
    public static TorchCheckpoint read(Path file, Predicate<String> keep) {
        WeightFiles.Format format = WeightFiles.detect(file);
        if (format != WeightFiles.Format.TORCH_ZIP && format != WeightFiles.Format.TORCH_LEGACY) {
            throw new WeightsException(file + ": is a " + format + " file, not a torch.save checkpoint");
        }
        return WeightFiles.guard(file, () -> {
            if (format == WeightFiles.Format.TORCH_ZIP) {
                try (TorchZip zip = TorchZip.open(file)) {
                    Map<Object, Object> top = topDict(zip.readData());
                    return new TorchCheckpoint(file, format, top,
                            new StateDict(file.toString(), Materializer.read(WeightFiles.select(stateDictRefs(top), keep), zip, zip.fileSize())));
                }
            }
            try (TorchLegacy legacy = TorchLegacy.open(file)) {
                Map<Object, Object> top = topDict(legacy.data());
                return new TorchCheckpoint(file, format, top, new StateDict(file.toString(),
                        Materializer.read(WeightFiles.select(stateDictRefs(top), keep), legacy, legacy.fileSize())));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> topDict(Object data) {
        if (!(data instanceof Map<?, ?>)) {
            throw new BadFile("top-level object is a " + SafeUnpickler.typeName(data) + ", not a dict");
        }
        return (Map<Object, Object>) data;
    }

    /** The tensors of {@code state_dict} if present (Lightning), else the tensor entries of the top-level dict. */
    private static Map<String, TensorRef> stateDictRefs(Map<Object, Object> top) {
        Map<?, ?> source = top.get("state_dict") instanceof Map<?, ?> sd ? sd : top;
        Map<String, TensorRef> refs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : source.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof TensorRef t) {
                refs.put(name, t);
            }
        }
        if (refs.isEmpty()) {
            List<String> keys = new ArrayList<>();
            source.keySet().stream().limit(12).forEach(k -> keys.add(String.valueOf(k)));
            throw new BadFile("holds no tensors in its state dict (top-level keys: " + keys + ")");
        }
        return refs;
    }

    public Path file() {
        return file;
    }

    /** @return {@link WeightFiles.Format#TORCH_ZIP} or {@link WeightFiles.Format#TORCH_LEGACY} */
    public WeightFiles.Format format() {
        return format;
    }

    /** @return the unpickled top-level dict (read-only at the top level), see the class comment for the types */
    public Map<Object, Object> topLevel() {
        return topLevel;
    }

    /** @return the state-dict tensors, read into memory */
    public StateDict stateDict() {
        return stateDict;
    }

    /** @return an integer entry of the top-level dict, e.g. {@code epoch} or {@code global_step} */
    public OptionalLong getLong(String key) {
        Object v = topLevel.get(key);
        if (v instanceof Integer || v instanceof Long) {
            return OptionalLong.of(((Number) v).longValue());
        }
        return OptionalLong.empty();
    }

    /** @return a string entry of the top-level dict, e.g. {@code pytorch-lightning_version} */
    public Optional<String> getString(String key) {
        return topLevel.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** Reads one tensor found in {@link #topLevel()} (re-opens the file). */
    public RawTensor tensor(TensorRef ref) {
        return WeightFiles.guard(file, () -> {
            if (format == WeightFiles.Format.TORCH_ZIP) {
                try (TorchZip zip = TorchZip.open(file)) {
                    return ref.read(zip);
                }
            }
            try (TorchLegacy legacy = TorchLegacy.open(file)) {
                return ref.read(legacy);
            }
        });
    }
}
