package dev.sluice.core.dataset;

import dev.sluice.core.TaskContext;
import java.io.Serializable;
import java.util.Iterator;

/** Turns one parent partition's iterator into this dataset's iterator for the same partition. */
@FunctionalInterface
public interface PartitionTransform<T, U> extends Serializable {

    /** Returns the transformed iterator of partition {@code partition}. */
    Iterator<U> apply(TaskContext context, int partition, Iterator<T> in);
}
