package dev.sluice.streaming.function;

import java.io.Serializable;

/**
 * Does something with each batch's dataset: the general output operation.
 *
 * <p>Called once per batch on the engine's job thread; what it throws fails that batch's job
 * and is reported with the batch time.
 */
@FunctionalInterface
public interface ForeachBatchFunction<T> extends Serializable {

    /** Applies the function. */
    void call(dev.sluice.core.Dataset<T> batch, dev.sluice.streaming.Time time) throws Exception;
}
