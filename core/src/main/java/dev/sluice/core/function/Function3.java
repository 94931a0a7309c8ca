package dev.sluice.core.function;

import java.io.Serializable;

/**
 * A function of three arguments.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface Function3<A, B, C, R> extends Serializable {

    /** Applies the function. */
    R call(A a, B b, C c) throws Exception;
}
