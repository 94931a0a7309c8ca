package dev.sluice.core.function;

import java.io.Serializable;

/**
 * Emits zero or more elements per input element into a consumer, allocating nothing per call.
 *
 * <p>Serializable so that it could be shipped to a remote worker; the single method may throw,
 * and the engine reports what it throws as the cause of the task's failure.
 */
@FunctionalInterface
public interface MapMultiFunction<T, R> extends Serializable {

    /** Applies the function. */
    void call(T t, java.util.function.Consumer<? super R> out) throws Exception;
}
