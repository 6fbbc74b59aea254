package dev.vqclip.engine.weights;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static net.razorvine.pickle.Opcodes.APPENDS;
import static net.razorvine.pickle.Opcodes.BINBYTES8;
import static net.razorvine.pickle.Opcodes.BINUNICODE;
import static net.razorvine.pickle.Opcodes.BUILD;
import static net.razorvine.pickle.Opcodes.EMPTY_DICT;
import static net.razorvine.pickle.Opcodes.EMPTY_LIST;
import static net.razorvine.pickle.Opcodes.EMPTY_TUPLE;
import static net.razorvine.pickle.Opcodes.MARK;
import static net.razorvine.pickle.Opcodes.NEWFALSE;
import static net.razorvine.pickle.Opcodes.NEWOBJ;
import static net.razorvine.pickle.Opcodes.NEWTRUE;
import static net.razorvine.pickle.Opcodes.NONE;
import static net.razorvine.pickle.Opcodes.REDUCE;
import static net.razorvine.pickle.Opcodes.SETITEM;
import static net.razorvine.pickle.Opcodes.SETITEMS;
import static net.razorvine.pickle.Opcodes.STOP;
import static net.razorvine.pickle.Opcodes.TUPLE;
import static net.razorvine.pickle.Opcodes.TUPLE2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeUnpicklerTest {
    private static Object unpickle(byte[] bytes, boolean torchScript) throws Exception {
        SafeUnpickler u = new SafeUnpickler(torchScript, (k, d, n, v) -> new StorageRef(k, d, n, null, 0),
                bytes.length);
        return u.read(new ByteArrayInputStream(bytes));
    }

    private static Object unpickle(PickleBytes p) throws Exception {
        return unpickle(p.bytes(), false);
    }

    @Test
    void dictsKeepFileOrderThroughSetitemsAndOrderedDict() throws Exception {
        PickleBytes p = PickleBytes.proto(2).global("collections", "OrderedDict").op(EMPTY_TUPLE, REDUCE, MARK);
        for (String k : new String[]{"zeta", "alpha", "mid", "beta", "omega", "a0", "z9"}) {
            p.str(k).integer(k.length());
        }
        Object o = unpickle(p.op(SETITEMS, STOP));
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) o).keySet())).containsExactly("zeta", "alpha", "mid", "beta", "omega", "a0", "z9");
    }

    @Test
    void numpyScalarsAndJitHelpersDecodeToPlainValues() throws Exception {
        // numpy.core.multiarray.scalar(numpy.dtype('f8', False, True) + BUILD state, _codecs.encode(bytes,'latin1'))
        PickleBytes p = PickleBytes.proto(2).op(MARK);
        p.global("numpy.core.multiarray", "scalar");
        p.global("numpy", "dtype").op(MARK).str("f8").op(NEWFALSE, NEWTRUE, TUPLE, REDUCE);
        p.op(MARK).integer(3).str("<").op(NONE, NONE, NONE).integer(-1).integer(-1).integer(0).op(TUPLE, BUILD);
        String latin = new String(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.25).array(), java.nio.charset.StandardCharsets.ISO_8859_1);
        p.global("_codecs", "encode").str(latin).str("latin1").op(TUPLE2, REDUCE);
        p.op(TUPLE2, REDUCE);
        p.global("torch.jit._pickle", "build_intlist").op(MARK, EMPTY_LIST, MARK).integer(1).integer(2).op(APPENDS, TUPLE,
                REDUCE);
        p.global("builtins", "set").op(MARK, EMPTY_LIST, MARK).str("a").str("b").op(APPENDS, TUPLE, REDUCE);
        Object[] t = (Object[]) unpickle(p.op(TUPLE, STOP));
        assertThat(t[0]).isEqualTo(0.25);
        assertThat(new java.util.ArrayList<Object>((List<?>) t[1])).containsExactly(1, 2);
        assertThat(new java.util.ArrayList<Object>((Set<?>) t[2])).containsExactly("a", "b");
    }

    @Test
    void torchScriptObjectsAreInertAttributeBags() throws Exception {
        PickleBytes p = PickleBytes.proto(2).global("__torch__.m", "Net").op(EMPTY_TUPLE, NEWOBJ)
                .op(EMPTY_DICT, MARK).str("training").op(NEWFALSE).str("depth").integer(3).op(SETITEMS, BUILD, STOP);
        Object o = unpickle(p.bytes(), true);
        assertThat(o).isInstanceOf(ScriptObject.class);
        assertThat(((ScriptObject) o).attributes()).containsEntry("depth", 3).containsEntry("training", false);
        assertThatThrownBy(() -> unpickle(p.bytes(), false)).isInstanceOf(BadFile.class)
                .hasMessageContaining("only accepted inside a TorchScript archive");
        PickleBytes called = PickleBytes.proto(2).global("__torch__.m", "Net").op(EMPTY_TUPLE, REDUCE, STOP);
        assertThatThrownBy(() -> unpickle(called.bytes(), true)).isInstanceOf(BadFile.class)
                .hasMessageContaining("refusing to call");
    }

    @Test
    void lengthsBeyondTheStreamAreRefusedBeforeAllocating() {
        // BINBYTES8 claiming 2^40 bytes, BINUNICODE claiming 4 GiB - 1
        byte[] bytes8 = PickleBytes.proto(4).op(BINBYTES8, 0, 0, 0, 0, 0, 1, 0, 0).bytes();
        assertThatThrownBy(() -> unpickle(bytes8, false)).isInstanceOf(BadFile.class)
                .hasMessageContaining("claims 1099511627776 bytes");
        byte[] unicode = PickleBytes.proto(2).op(BINUNICODE, 0xff, 0xff, 0xff, 0xff).bytes();
        assertThatThrownBy(() -> unpickle(unicode, false)).isInstanceOf(BadFile.class)
                .hasMessageContaining("claims 4294967295 bytes");
    }

    @Test
    void unhashableKeysAndHugeTextIntegersAreRefused() {
        byte[] listKey = PickleBytes.proto(2).op(EMPTY_DICT, EMPTY_LIST).integer(1).op(SETITEM, STOP).bytes();
        assertThatThrownBy(() -> unpickle(listKey, false)).isInstanceOf(BadFile.class)
                .hasMessageContaining("unhashable");
        byte[] digits = ("L" + "9".repeat(100_000) + "\n.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> unpickle(digits, false)).isInstanceOf(BadFile.class)
                .hasMessageContaining("100000 digits");
    }

    @Test
    void operationCountIsBounded() {
        // NONE, POP repeated: constant memory for Python, but each operation costs time; 4M is the cap
        byte[] many = new byte[8_400_002];
        for (int i = 0; i < many.length - 2; i += 2) {
            many[i] = 'N';
            many[i + 1] = '0';
        }
        many[many.length - 2] = 'N';
        many[many.length - 1] = '.';
        assertThatThrownBy(() -> unpickle(many, false)).isInstanceOf(BadFile.class)
                .hasMessageContaining("more than 4000000 operations");
    }
}
