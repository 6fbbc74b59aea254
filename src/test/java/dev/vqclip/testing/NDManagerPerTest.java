package dev.vqclip.testing;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base class for tests that make their arrays in a fresh manager per test method: {@link #m} is a new base manager
 * opened before each test and closed, with every array made in it, after the test.
 */
public abstract class NDManagerPerTest {
    /** This test method's manager; the base class closes it. */
    protected NDManager m;

    @BeforeEach
    protected final void openManager() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    protected final void closeManager() {
        m.close();
    }
}
