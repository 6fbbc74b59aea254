package dev.vqclip.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/** Chooses the compute device from a user's {@code --device auto|cpu|gpu[:N]} setting. */
public final class Devices {
    private Devices() {
    }

    /**
     * @param spec {@code auto} (a CUDA GPU when the engine finds one, else the CPU), {@code cpu}, {@code gpu} or
     *     {@code gpu:N}
     * @return the device
     * @throws IllegalArgumentException for an unknown spec, or {@code gpu} on a machine without one
     */
    public static Device parse(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        int gpus = gpuCount();
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.equals("cuda") || s.startsWith("gpu:") || s.startsWith("cuda:")) {
            int id = s.contains(":") ? parseId(s.substring(s.indexOf(':') + 1), spec) : 0;
            if (id >= gpus) {
                throw new IllegalArgumentException("--device " + spec + ": no CUDA GPU " + id + " found ("
                        + gpus + " available); use --device cpu or auto");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException("--device " + spec + ": expected auto, cpu, gpu or gpu:N");
    }

    /** @return a short human-readable name, e.g. {@code CPU} or {@code GPU 0} */
    public static String describe(Device d) {
        return d.isGpu() ? "GPU " + d.getDeviceId() : "CPU";
    }

    private static int gpuCount() {
        try {
            return Engine.getInstance().getGpuCount();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static int parseId(String s, String spec) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--device " + spec + ": bad GPU number '" + s + "'");
        }
    }
}
