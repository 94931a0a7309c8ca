package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Transforms one element into zero or more elements.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface FlatMapFunction<T, R> extends Serializable {

    /** Applies the function. */
    Iterable<R> call(T t) throws Exception;
}
