package dev.sluice.streaming.function;

import java.io.Serializable;

/**
 * Turns one batch's dataset into another dataset.
 *
 * <p>Called once per batch on the engine's job thread; what it throws fails that batch's job
 * and is reported with the batch time.
 */
@FunctionalInterface
public interface TransformFunction<T, R> extends Serializable {

    /** Applies the function. */
    dev.sluice.core.Dataset<R> call(dev.sluice.core.Dataset<T> batch) throws Exception;
}
