package dev.vqclip.engine.weights;

import java.util.Objects;

/**
 * A Python global ({@code module.name}) that a pickle referred to and that is on the reader's allow-list. It is only
 * a name: reading never imports or runs anything. Class references that a checkpoint merely stores (for example
 * {@code pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint}, used by old Lightning versions as a dict
 * key) appear as instances of this class in {@link TorchCheckpoint#topLevel()}. Two are equal when they name the
 * same global.
 *
 * @param module      the module part, e.g. {@code pytorch_lightning.callbacks.model_checkpoint}
 * @param name        the attribute name, e.g. {@code ModelCheckpoint}
 * @param kind        what the reader may do with it
 * @param storageType the element type of a {@code torch.<X>Storage} global, else null
 */
public record PickleGlobal(String module, String name, Kind kind, DType storageType) {
    /** What the reader may do with a global; anything not listed is refused when the pickle names it. */
    enum Kind {
        ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_FROM_TYPE_V2, STORAGE_TYPE,
        DEVICE, SET, JIT_PASS_THROUGH, NUMPY_SCALAR, NUMPY_DTYPE, CODECS_ENCODE, SCRIPT_CLASS,
        /** a class reference that may be stored and compared but never called */
        INERT
    }

    /** @return {@code module.name} */
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PickleGlobal g && g.module.equals(module) && g.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(module, name);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
