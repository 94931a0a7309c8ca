package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Combines two values into one; must be associative (and commutative for keyed reductions).
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface ReduceFunction<T> extends Serializable {

    /** Applies the function. */
    T call(T a, T b) throws Exception;
}
