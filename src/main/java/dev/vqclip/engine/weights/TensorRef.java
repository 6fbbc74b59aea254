package dev.vqclip.engine.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor described by a torch pickle ({@code _rebuild_tensor_v2}): element type, shape, strides and where its
 * elements start in a storage. It holds no data. Construction validates the description against the storage the
 * pickle claims (sizes, strides, offset, element count overflow), so that nothing is allocated for an impossible
 * tensor.
 */
public final class TensorRef {
    /** Largest tensor this reader materialises: the limit of one Java byte buffer. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private final StorageRef storage;
    private final long storageOffset;
    private final long[] shape;
    private final long[] stride;
    private final long numel;

    TensorRef(StorageRef storage, long storageOffset, long[] shape, long[] stride) {
        this.storage = storage;
        this.storageOffset = storageOffset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        String what = "tensor " + Arrays.toString(shape) + " in storage '" + storage.key() + "'";
        if (shape.length != stride.length) {
            throw new BadFile(what + " has " + stride.length + " strides for " + shape.length + " dimensions");
        }
        if (shape.length > 64) {
            throw new BadFile(what + " has " + shape.length + " dimensions");
        }
        if (storageOffset < 0) {
            throw new BadFile(what + " has a negative storage offset " + storageOffset);
        }
        long n = 1;
        long last = storageOffset;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0 || stride[i] < 0) {
                    throw new BadFile(what + " has a negative size or stride " + Arrays.toString(stride));
                }
                n = Math.multiplyExact(n, shape[i]);
            }
            Math.multiplyExact(n, (long) storage.dtype().size());
            if (n > 0) {
                for (int i = 0; i < shape.length; i++) {
                    last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw new BadFile(what + " claims a size that overflows 64 bits");
        }
        if (n > 0 && last >= storage.numel()) {
            throw new BadFile(what + " with offset " + storageOffset + " and strides " + Arrays.toString(stride)
                    + " reaches element " + last + " but the storage holds " + storage.numel());
        }
        if (n * storage.dtype().size() > MAX_BYTES) {
            throw new BadFile(what + " has " + n + " elements: larger than this reader supports (2 GiB per tensor)");
        }
        this.numel = n;
    }

    /** @return the element type as stored */
    public DType dtype() {
        return storage.dtype();
    }

    /** @return the dimensions (empty for a 0-dim tensor) */
    public long[] shape() {
        return shape.clone();
    }

    /** @return strides in elements */
    public long[] stride() {
        return stride.clone();
    }

    /** @return offset of element [0,...,0] in the storage, in elements */
    public long storageOffset() {
        return storageOffset;
    }

    /** @return the key of the storage that holds the elements */
    public String storageKey() {
        return storage.key();
    }

    public long numel() {
        return numel;
    }

    StorageRef storage() {
        return storage;
    }

    /** @return true when the elements are laid out in C order without gaps */
    boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Reads the elements, gathering non-contiguous layouts into C order. */
    RawTensor read(StorageReader reader) throws IOException {
        int item = dtype().size();
        int bytes = Math.toIntExact(numel * item);
        StorageRef root = storage.root();
        long rootOffset = storage.base() == null ? storageOffset : storage.baseOffset() + storageOffset;
        if (numel == 0) {
            return new RawTensor(dtype(), shape, ByteBuffer.allocateDirect(0));
        }
        if (isContiguous()) {
            ByteBuffer b = reader.read(root, rootOffset * item, bytes);
            return new RawTensor(dtype(), shape, b);
        }
        long span = 1;
        for (int i = 0; i < shape.length; i++) {
            span += (shape[i] - 1) * stride[i];
        }
        if (span * item > MAX_BYTES) {
            throw new BadFile("strided tensor " + Arrays.toString(shape) + " spans " + span
                    + " elements of its storage: too large to gather");
        }
        ByteBuffer src = reader.read(root, rootOffset * item, Math.toIntExact(span * item));
        ByteBuffer dst = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] index = new long[shape.length];
        long at = 0;
        byte[] element = new byte[item];
        for (long k = 0; k < numel; k++) {
            src.get(Math.toIntExact(at * item), element);
            dst.put(element);
            for (int d = shape.length - 1; d >= 0; d--) {
                index[d]++;
                at += stride[d];
                if (index[d] < shape[d]) {
                    break;
                }
                at -= stride[d] * index[d];
                index[d] = 0;
            }
        }
        dst.flip();
        return new RawTensor(dtype(), shape, dst);
    }

    @Override
    public String toString() {
        return dtype() + Arrays.toString(shape);
    }
}
