package dev.sluice.streaming.function;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import java.io.Serializable;

/**
 * Makes one batch's dataset from the same batch's datasets of two streams, and its time
 * ({@code DStream.transformWith}).
 *
 * <p>Called once per batch on the engine's generator thread; what it throws fails that batch
 * and is reported with the batch time.
 */
@FunctionalInterface
public interface TransformWithFunction<T, U, R> extends Serializable {

    /** Applies the function. */
    Dataset<R> call(Dataset<T> batch, Dataset<U> other, Time time) throws Exception;
}
