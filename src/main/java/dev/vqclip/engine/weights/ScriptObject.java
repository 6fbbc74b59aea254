package dev.vqclip.engine.weights;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An inert TorchScript module object ({@code __torch__.*} class) as rebuilt from an archive's {@code data.pkl}: the
 * class name and the attribute dictionary set by BUILD, in file order. No code of the class is ever run.
 */
final class ScriptObject {
    private final String className;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    ScriptObject(String className) {
        this.className = className;
    }

    String className() {
        return className;
    }

    Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return className + attributes.keySet();
    }
}
