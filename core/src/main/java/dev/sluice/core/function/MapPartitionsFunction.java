package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Transforms a whole partition, as an iterator, into an iterator.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface MapPartitionsFunction<T, R> extends Serializable {

    /** Applies the function. */
    java.util.Iterator<R> call(java.util.Iterator<T> partition) throws Exception;
}
