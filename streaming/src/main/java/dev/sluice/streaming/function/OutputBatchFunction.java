package dev.sluice.streaming.function;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.OutputBatch;
import java.io.Serializable;

/**
 * Does something with each batch's dataset, knowing the batch's stable id and whether it is a
 * replay: the output operation of {@code DStream.foreachBatchWithId}.
 *
 * <p>Called once per batch on the engine's job thread; what it throws fails that batch's job
 * and is reported with the batch time.
 */
@FunctionalInterface
public interface OutputBatchFunction<T> extends Serializable {

    /** Applies the function to the dataset of {@code batch}. */
    void call(Dataset<T> dataset, OutputBatch batch) throws Exception;
}
