package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Consumes one element, for its side effects.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface ForeachFunction<T> extends Serializable {

    /** Applies the function. */
    void call(T t) throws Exception;
}
