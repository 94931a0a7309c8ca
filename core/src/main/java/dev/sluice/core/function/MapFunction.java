package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Transforms one element into one element.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface MapFunction<T, R> extends Serializable {

    /** Applies the function. */
    R call(T t) throws Exception;
}
