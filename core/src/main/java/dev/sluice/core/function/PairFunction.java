package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Transforms one element into a key-value pair.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface PairFunction<T, K, V> extends Serializable {

    /** Applies the function. */
    dev.sluice.core.Pair<K, V> call(T t) throws Exception;
}
