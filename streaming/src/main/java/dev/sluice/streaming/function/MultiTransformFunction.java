package dev.sluice.streaming.function;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import java.io.Serializable;
import java.util.List;

/**
 * Makes one batch's dataset from the same batch's datasets of several streams, in the order the
 * streams were given, and its time ({@code StreamingContext.transform}).
 *
 * <p>Called once per batch on the engine's generator thread; what it throws fails that batch
 * and is reported with the batch time.
 */
@FunctionalInterface
public interface MultiTransformFunction<R> extends Serializable {

    /** Applies the function. */
    Dataset<R> call(List<Dataset<?>> batches, Time time) throws Exception;
}
