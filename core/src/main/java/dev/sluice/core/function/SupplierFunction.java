package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Supplies a value, such as a zero for folds.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface SupplierFunction<T> extends Serializable {

    /** Applies the function. */
    T get() throws Exception;
}
