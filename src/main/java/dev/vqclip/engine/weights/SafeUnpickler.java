package dev.vqclip.engine.weights;

import dev.vqclip.engine.io.CountingInputStream;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pyrolite's unpickler with every opcode that could reach code or allocate without bound taken over:
 * <ul>
 *   <li>GLOBAL, STACK_GLOBAL, INST resolve names only against the allow-list ({@link #resolve}); anything else is
 *       refused the moment the pickle names it, so nothing after it is interpreted. Pyrolite's static constructor
 *       registry is never consulted.</li>
 *   <li>REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST call only the allow-listed operations, implemented here in Java.</li>
 *   <li>BUILD sets state only on the inert objects made here (no reflection).</li>
 *   <li>Length-prefixed strings and bytes are checked against the bytes left in the stream before allocating.</li>
 *   <li>Dicts and sets keep insertion order (state dicts are ordered), and unhashable keys are refused.</li>
 * </ul>
 * Persistent ids (torch storages) go to the {@link StorageResolver} given by the format reader.
 */
final class SafeUnpickler extends Unpickler {
    /** Turns a torch persistent id into a {@link StorageRef}. */
    interface StorageResolver {
        StorageRef storage(String key, DType dtype, long numel, Object viewMetadata);
    }

    private static final int MAX_STRING = 64 << 20;
    /** Longest decimal integer accepted by the text LONG opcode (parsing is quadratic in the digits). */
    private static final int MAX_DIGITS = 4300;
    /**
     * Each operation allocates at most about a hundred bytes besides the length-checked strings, so this caps what a
     * hostile pickle can make us allocate; real checkpoints use about 30 operations per tensor.
     */
    private static final long MAX_OPCODES = 4_000_000;

    private final boolean torchScript;
    private final StorageResolver storages;
    private final long length;
    /** Counts the bytes consumed so that the reader knows the exact end of a pickle. */
    private CountingInputStream counting;
    private long opcodes;

    /**
     * @param torchScript allow {@code __torch__.*} classes (only inside TorchScript archives)
     * @param storages resolves persistent ids
     * @param length bytes available in the stream (a bound for every length-prefixed item)
     */
    SafeUnpickler(boolean torchScript, StorageResolver storages, long length) {
        this.torchScript = torchScript;
        this.storages = storages;
        this.length = length;
    }

    /** Reads one pickle from {@code in}, leaving the stream just after its STOP opcode. */
    Object read(InputStream in) throws IOException {
        counting = new CountingInputStream(in);
        return load(counting);
    }

    /** @return bytes consumed from the stream so far */
    long consumed() {
        return counting.count();
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        if (++opcodes > MAX_OPCODES) {
            throw new BadFile("pickle has more than " + MAX_OPCODES + " operations, implausible for a model file");
        }
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolve(module, name));
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new BadFile("pickle STACK_GLOBAL with non-string operands");
                }
                stack.add(resolve(m, n));
            }
            case Opcodes.INST -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                PickleGlobal g = resolve(module, name);
                stack.add(call(g, stack.pop_all_since_marker().toArray()));
            }
            case Opcodes.OBJ -> {
                List<Object> all = stack.pop_all_since_marker();
                if (all.isEmpty()) {
                    throw new BadFile("pickle OBJ without a class");
                }
                stack.add(call(all.get(0), all.subList(1, all.size()).toArray()));
            }
            case Opcodes.REDUCE -> {
                Object args = stack.pop();
                Object callable = stack.pop();
                stack.add(call(callable, tuple(args)));
            }
            case Opcodes.NEWOBJ -> {
                Object args = stack.pop();
                Object cls = stack.pop();
                stack.add(newObject(cls, tuple(args)));
            }
            case Opcodes.NEWOBJ_EX -> {
                Object kwargs = stack.pop();
                Object args = stack.pop();
                Object cls = stack.pop();
                if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                    throw new BadFile("pickle NEWOBJ_EX with keyword arguments is not supported");
                }
                stack.add(newObject(cls, tuple(args)));
            }
            case Opcodes.BUILD -> {
                Object state = stack.pop();
                build(stack.peek(), state);
            }
            case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case Opcodes.DICT -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                putPairs(map, stack.pop_all_since_marker());
                stack.add(map);
            }
            case Opcodes.SETITEM -> {
                Object value = stack.pop();
                Object k = stack.pop();
                dict(stack.peek()).put(hashable(k), value);
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(dict(stack.peek()), items);
            }
            case Opcodes.APPENDS -> {
                List<Object> items = stack.pop_all_since_marker();
                list(stack.peek()).addAll(items);
            }
            case Opcodes.APPEND -> {
                Object value = stack.pop();
                list(stack.peek()).add(value);
            }
            case Opcodes.POP_MARK -> stack.pop_all_since_marker();
            case Opcodes.EMPTY_SET -> stack.add(new LinkedHashSet<>());
            case Opcodes.ADDITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                if (!(stack.peek() instanceof Set<?>)) {
                    throw new BadFile("pickle ADDITEMS on a non-set");
                }
                @SuppressWarnings("unchecked")
                Set<Object> set = (Set<Object>) stack.peek();
                for (Object o : items) {
                    set.add(hashable(o));
                }
            }
            case Opcodes.FROZENSET -> {
                Set<Object> set = new LinkedHashSet<>();
                for (Object o : stack.pop_all_since_marker()) {
                    set.add(hashable(o));
                }
                stack.add(set);
            }
            case Opcodes.BINBYTES -> stack.add(readBytes(readLength(4)));
            case Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> stack.add(readBytes(readLength(8)));
            case Opcodes.BINUNICODE -> stack.add(new String(readBytes(readLength(4)), StandardCharsets.UTF_8));
            case Opcodes.BINUNICODE8 -> stack.add(new String(readBytes(readLength(8)), StandardCharsets.UTF_8));
            case Opcodes.BINSTRING -> stack.add(PickleUtils.rawStringFromBytes(readBytes(readLength(4))));
            case Opcodes.LONG4 -> stack.add(PickleUtils.decode_long(readBytes(readLength(4))));
            case Opcodes.LONG -> {
                String digits = PickleUtils.readline(input);
                if (digits.endsWith("L")) {
                    digits = digits.substring(0, digits.length() - 1);
                }
                if (digits.length() > MAX_DIGITS) {
                    throw new BadFile("pickle integer with " + digits.length() + " digits");
                }
                stack.add(PickleUtils.optimizeBigint(new BigInteger(digits)));
            }
            case Opcodes.PERSID -> stack.add(persistentLoad(PickleUtils.readline(input)));
            case Opcodes.BINPERSID -> stack.add(persistentLoad(stack.pop()));
            case Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 ->
                    throw new BadFile("pickle uses the copyreg extension registry (EXT opcodes): refused");
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    // ------------------------------------------------------------------ allow-list

    private PickleGlobal resolve(String module, String name) {
        PickleGlobal g = lookup(module, name, torchScript);
        if (g == null) {
            String why = module.startsWith("__torch__")
                    ? " (TorchScript classes are only accepted inside a TorchScript archive)"
                    : " (not on the allow-list; reading model files never runs code from them"
                    + (!name.isEmpty() && Character.isUpperCase(name.charAt(0))
                    ? "; if the file pickles a whole model object, re-save its state_dict)" : ")");
            throw new BadFile("refusing pickle global '" + module + "." + name + "'" + why);
        }
        return g;
    }

    /** @return the allow-listed global, or null */
    static PickleGlobal lookup(String module, String name, boolean torchScript) {
        String full = module + "." + name;
        PickleGlobal.Kind kind = switch (full) {
            case "collections.OrderedDict" -> PickleGlobal.Kind.ORDERED_DICT;
            case "torch._utils._rebuild_tensor_v2" -> PickleGlobal.Kind.REBUILD_TENSOR_V2;
            case "torch._utils._rebuild_tensor" -> PickleGlobal.Kind.REBUILD_TENSOR;
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                    PickleGlobal.Kind.REBUILD_PARAMETER;
            case "torch._tensor._rebuild_from_type_v2" -> PickleGlobal.Kind.REBUILD_FROM_TYPE_V2;
            case "torch.device" -> PickleGlobal.Kind.DEVICE;
            case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset" ->
                    PickleGlobal.Kind.SET;
            case "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist",
                 "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist",
                 "torch.jit._pickle.build_genericlist", "torch.jit._pickle.restore_type_tag" ->
                    PickleGlobal.Kind.JIT_PASS_THROUGH;
            case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" -> PickleGlobal.Kind.NUMPY_SCALAR;
            case "numpy.dtype" -> PickleGlobal.Kind.NUMPY_DTYPE;
            case "_codecs.encode" -> PickleGlobal.Kind.CODECS_ENCODE;
            case "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
                 "lightning.pytorch.callbacks.model_checkpoint.ModelCheckpoint",
                 "torch.nn.parameter.Parameter", "torch._tensor.Tensor", "torch.Tensor" -> PickleGlobal.Kind.INERT;
            default -> null;
        };
        DType storageType = null;
        if (kind == null && module.equals("torch") && name.endsWith("Storage")) {
            storageType = switch (name) {
                case "DoubleStorage" -> DType.FLOAT64;
                case "FloatStorage" -> DType.FLOAT32;
                case "HalfStorage" -> DType.FLOAT16;
                case "BFloat16Storage" -> DType.BFLOAT16;
                case "LongStorage" -> DType.INT64;
                case "IntStorage" -> DType.INT32;
                case "ShortStorage" -> DType.INT16;
                case "CharStorage" -> DType.INT8;
                case "ByteStorage" -> DType.UINT8;
                case "BoolStorage" -> DType.BOOL;
                default -> null;
            };
            if (storageType != null) {
                kind = PickleGlobal.Kind.STORAGE_TYPE;
            }
        }
        if (kind == null && torchScript && (module.equals("__torch__") || module.startsWith("__torch__."))) {
            kind = PickleGlobal.Kind.SCRIPT_CLASS;
        }
        return kind == null ? null : new PickleGlobal(module, name, kind, storageType);
    }

    // ------------------------------------------------------------------ the allowed operations

    private Object call(Object callable, Object[] args) {
        if (!(callable instanceof PickleGlobal g)) {
            throw new BadFile("pickle calls a non-callable object of type " + typeName(callable));
        }
        return switch (g.kind()) {
            case ORDERED_DICT -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                if (args.length == 1 && args[0] instanceof Collection<?> pairs) {
                    for (Object p : pairs) {
                        Object[] kv = tuple(p);
                        if (kv.length != 2) {
                            throw new BadFile("OrderedDict item is not a pair");
                        }
                        map.put(hashable(kv[0]), kv[1]);
                    }
                } else if (args.length != 0) {
                    throw new BadFile("OrderedDict called with unexpected arguments");
                }
                yield map;
            }
            case REBUILD_TENSOR_V2, REBUILD_TENSOR -> {
                if (args.length < 4) {
                    throw new BadFile(g + " called with " + args.length + " arguments");
                }
                if (!(args[0] instanceof StorageRef s)) {
                    throw new BadFile(g + " called without a storage (got " + typeName(args[0]) + ")");
                }
                yield new TensorRef(s, number(args[1], "storage offset"), longs(args[2], "size"),
                        longs(args[3], "stride"));
            }
            case REBUILD_PARAMETER -> {
                if (args.length < 1 || !(args[0] instanceof TensorRef)) {
                    throw new BadFile(g + " called without a tensor");
                }
                yield args[0];
            }
            case REBUILD_FROM_TYPE_V2 -> {
                if (args.length < 3) {
                    throw new BadFile(g + " called with " + args.length + " arguments");
                }
                if (!(args[1] instanceof PickleGlobal type) || type.kind() != PickleGlobal.Kind.INERT) {
                    throw new BadFile(g + " with an unsupported tensor type " + typeName(args[1]));
                }
                yield call(args[0], tuple(args[2]));
            }
            case DEVICE -> new PythonObject(g.qualifiedName(), args);
            case SET -> {
                Set<Object> set = new LinkedHashSet<>();
                if (args.length == 1 && args[0] instanceof Collection<?> items) {
                    for (Object o : items) {
                        set.add(hashable(o));
                    }
                } else if (args.length != 0) {
                    throw new BadFile(g + " called with unexpected arguments");
                }
                yield set;
            }
            case JIT_PASS_THROUGH -> {
                if (args.length < 1) {
                    throw new BadFile(g + " called without arguments");
                }
                yield args[0];
            }
            case NUMPY_DTYPE -> {
                if (args.length < 1 || !(args[0] instanceof String code)) {
                    throw new BadFile("numpy.dtype called without a type code");
                }
                yield new NumpyDType(code);
            }
            case NUMPY_SCALAR -> numpyScalar(args);
            case CODECS_ENCODE -> {
                if (args.length != 2 || !(args[0] instanceof String s) || !(args[1] instanceof String enc)
                        || !enc.equalsIgnoreCase("latin1") && !enc.equalsIgnoreCase("latin-1")) {
                    throw new BadFile("_codecs.encode is only accepted for latin1 strings");
                }
                yield s.getBytes(StandardCharsets.ISO_8859_1);
            }
            case STORAGE_TYPE, SCRIPT_CLASS, INERT ->
                    throw new BadFile("refusing to call pickle global '" + g + "' (it is accepted only as a name)");
        };
    }

    private Object newObject(Object cls, Object[] args) {
        if (!(cls instanceof PickleGlobal g)) {
            throw new BadFile("pickle NEWOBJ on a non-class object of type " + typeName(cls));
        }
        return switch (g.kind()) {
            case SCRIPT_CLASS -> {
                if (args.length != 0) {
                    throw new BadFile("TorchScript object " + g + " created with arguments");
                }
                yield new ScriptObject(g.qualifiedName());
            }
            case ORDERED_DICT, SET -> call(g, args);
            default -> throw new BadFile("refusing to instantiate pickle global '" + g + "'");
        };
    }

    private void build(Object target, Object state) {
        if (target instanceof ScriptObject obj) {
            if (!(state instanceof Map<?, ?> attrs)) {
                throw new BadFile("TorchScript object " + obj.className() + " has non-dict state");
            }
            for (Map.Entry<?, ?> e : attrs.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw new BadFile("TorchScript object " + obj.className() + " has a non-string attribute name");
                }
                obj.attributes().put(name, e.getValue());
            }
        } else if (target instanceof Map<?, ?> || target instanceof TensorRef || target instanceof PythonObject) {
            // OrderedDict._metadata of a state dict, a Parameter's extra state, a device: metadata we don't need.
            return;
        } else if (target instanceof NumpyDType dt) {
            Object[] t = state instanceof Object[] a ? a : new Object[0];
            if (t.length > 1 && t[1] instanceof String order) {
                dt.byteOrder = order;
            }
        } else {
            throw new BadFile("pickle BUILD on an unsupported object of type " + typeName(target));
        }
    }

    @Override
    protected Object persistentLoad(Object pid) {
        Object[] t = tuple(pid);
        if (t.length < 5 || !"storage".equals(t[0])) {
            throw new BadFile("unsupported persistent id (expected a torch storage)");
        }
        if (!(t[1] instanceof PickleGlobal g) || g.kind() != PickleGlobal.Kind.STORAGE_TYPE) {
            throw new BadFile("persistent id with unsupported storage type " + typeName(t[1]));
        }
        if (!(t[2] instanceof String key)) {
            throw new BadFile("persistent id with a non-string storage key");
        }
        long numel = number(t[4], "storage size");
        return storages.storage(key, g.storageType(), numel, t.length > 5 ? t[5] : null);
    }

    // ------------------------------------------------------------------ helpers

    private Object numpyScalar(Object[] args) {
        if (args.length != 2 || !(args[0] instanceof NumpyDType dt) || !(args[1] instanceof byte[] raw)) {
            throw new BadFile("numpy scalar with unexpected arguments");
        }
        ByteOrder order = ">".equals(dt.byteOrder) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        String c = dt.code;
        try {
            return switch (c) {
                case "f8" -> b.getDouble(0);
                case "f4" -> (double) b.getFloat(0);
                case "f2" -> (double) RawTensor.halfToFloat(b.getShort(0));
                case "i8", "u8" -> b.getLong(0);
                case "i4" -> (long) b.getInt(0);
                case "u4" -> b.getInt(0) & 0xffffffffL;
                case "i2" -> (long) b.getShort(0);
                case "u2" -> (long) (b.getShort(0) & 0xffff);
                case "i1" -> (long) b.get(0);
                case "u1" -> (long) (b.get(0) & 0xff);
                case "b1" -> b.get(0) != 0;
                default -> new PythonObject("numpy." + c, new Object[]{raw});
            };
        } catch (IndexOutOfBoundsException e) {
            throw new BadFile("numpy scalar of type " + c + " with only " + raw.length + " bytes");
        }
    }

    private static void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new BadFile("pickle dict items are not key/value pairs");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(hashable(items.get(i)), items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        if (!(o instanceof List<?>)) {
            throw new BadFile("pickle APPEND on a non-list of type " + typeName(o));
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object o) {
        if (!(o instanceof Map<?, ?>)) {
            throw new BadFile("pickle SETITEM on a non-dict of type " + typeName(o));
        }
        return (Map<Object, Object>) o;
    }

    /** Python refuses lists, dicts and sets as keys; so do we (their Java hash codes could also recurse). */
    private static Object hashable(Object o) {
        if (o instanceof Collection<?> || o instanceof Map<?, ?>) {
            throw new BadFile("pickle uses an unhashable " + typeName(o) + " as a dict key or set item");
        }
        return o;
    }

    static Object[] tuple(Object o) {
        if (o instanceof Object[] t) {
            return t;
        }
        if (o instanceof List<?> l) {
            return l.toArray();
        }
        throw new BadFile("expected a tuple in the pickle, got " + typeName(o));
    }

    static long number(Object o, String what) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        if (o instanceof BigInteger) {
            throw new BadFile(what + " " + o + " does not fit 64 bits");
        }
        throw new BadFile(what + " is not an integer (got " + typeName(o) + ")");
    }

    static long[] longs(Object o, String what) {
        Object[] t = tuple(o);
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = number(t[i], what);
        }
        return out;
    }

    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PickleGlobal g) {
            return "global " + g;
        }
        if (o.getClass() == Object.class) {
            return "MARK";
        }
        return o.getClass().getSimpleName();
    }

    private long readLength(int width) throws IOException {
        byte[] b = PickleUtils.readbytes(input, width);
        long n = width == 4
                ? ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL
                : ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n;
    }

    private byte[] readBytes(long n) throws IOException {
        long left = length - counting.count();
        if (n < 0 || n > left || n > MAX_STRING) {
            throw new BadFile("pickle item claims " + n + " bytes but " + Math.max(left, 0) + " are left");
        }
        byte[] b = input.readNBytes((int) n);
        if (b.length != n) {
            throw new BadFile("pickle ends in the middle of an item");
        }
        return b;
    }

    /** A generic inert Python object (torch.device, an exotic numpy scalar): a type name and its arguments. */
    record PythonObject(String type, Object[] args) {
    }

    /** numpy.dtype as pickled for numpy scalars. */
    static final class NumpyDType {
        final String code;
        String byteOrder = "<";

        NumpyDType(String code) {
            this.code = code;
        }
    }
}
