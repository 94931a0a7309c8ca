package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import java.io.Serializable;

/** Turns a parent's dataset of one batch into this stream's dataset of the same batch. */
@FunctionalInterface
public interface DatasetTransform<T, R> extends Serializable {

    /** Returns the transformed dataset. */
    Dataset<R> apply(Dataset<T> parent, Time time) throws Exception;
}
