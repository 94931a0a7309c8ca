package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Decides whether an element is kept.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface FilterFunction<T> extends Serializable {

    /** Applies the function. */
    boolean call(T t) throws Exception;
}
