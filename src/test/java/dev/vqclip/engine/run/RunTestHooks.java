package dev.vqclip.engine.run;

import ai.djl.engine.EngineException;

import java.util.concurrent.atomic.AtomicInteger;

/** For tests outside this package: makes a run's step fail as libtorch does when it cannot allocate memory. */
public final class RunTestHooks {
    private RunTestHooks() {
    }

    /**
     * From now on, the step that would reach {@code step} and every later one fails after Adam's in-place update
     * with the CPU allocator's error, until {@link #reset()}.
     */
    public static void outOfMemoryFrom(int step) {
        AtomicInteger updates = new AtomicInteger();
        Run.updateHook = () -> {
            if (updates.incrementAndGet() >= step) {
                throw new EngineException("[enforce fail at alloc_cpu.cpp:119] err == 0. DefaultCPUAllocator: can't "
                        + "allocate memory: you tried to allocate 67108864 bytes. Error code 12 (Cannot allocate "
                        + "memory)");
            }
        };
    }

    /** Steps succeed again. */
    public static void reset() {
        Run.updateHook = () -> { };
    }
}
