package dev.vqclip.engine.weights;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Named tensors of one model, in file order. Lookups of a missing name or a wrong shape throw a
 * {@link WeightsException} naming the tensor, the source file and both shapes.
 */
public final class StateDict {
    private final String source;
    private final Map<String, RawTensor> tensors;

    public StateDict(String source, Map<String, RawTensor> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** @return a description of where the tensors came from (usually a file name) */
    public String source() {
        return source;
    }

    public Map<String, RawTensor> asMap() {
        return tensors;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public int size() {
        return tensors.size();
    }

    /** @return the tensor; throws if it is missing */
    public RawTensor get(String name) {
        RawTensor t = tensors.get(name);
        if (t == null) {
            throw new WeightsException(source + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /** @return the tensor after checking its shape; throws naming both shapes when it differs */
    public RawTensor get(String name, long... expectedShape) {
        RawTensor t = get(name);
        if (!Arrays.equals(t.shape(), expectedShape)) {
            throw new WeightsException(source + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but the config implies " + Arrays.toString(expectedShape));
        }
        return t;
    }

    /** @return the tensors whose names start with {@code prefix}, with the prefix removed */
    public StateDict withPrefix(String prefix) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return new StateDict(source, out);
    }

    /** @return the tensors whose names pass the filter */
    public StateDict filter(Predicate<String> keep) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (keep.test(k)) {
                out.put(k, v);
            }
        });
        return new StateDict(source, out);
    }
}
