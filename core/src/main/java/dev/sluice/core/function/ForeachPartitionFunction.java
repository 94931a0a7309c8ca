package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Consumes a whole partition, for its side effects.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface ForeachPartitionFunction<T> extends Serializable {

    /** Applies the function. */
    void call(java.util.Iterator<T> partition) throws Exception;
}
