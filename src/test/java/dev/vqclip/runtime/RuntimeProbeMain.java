package dev.vqclip.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;

/** Child process of {@link RuntimeInstallerTest}: selects the runtime as vqclip does, loads DJL, says what it loaded. */
public final class RuntimeProbeMain {
    private RuntimeProbeMain() {
    }

    public static void main(String[] args) {
        NativeRuntime.Choice c = NativeRuntime.select();
        System.out.println("CHOICE " + c.runtime() + " | " + c.reason());
        Engine e = Engine.getEngine("PyTorch");
        try (NDManager m = e.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3});
            System.out.println("SUM " + a.sum().getFloat());
        }
        System.out.println("LIBTORCH " + LibUtils.getLibtorchPath());
    }
}
