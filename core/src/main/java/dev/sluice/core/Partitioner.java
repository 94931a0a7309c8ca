package dev.sluice.core;

import java.io.Serializable;

/**
 * Decides which partition of a keyed dataset a key belongs to.
 *
 * <p>Implementations must be deterministic and must implement {@code equals}: two datasets
 * partitioned by equal partitioners are co-partitioned, and keyed operations between them
 * need no shuffle.
 */
public abstract class Partitioner implements Serializable {

    /** Returns the number of partitions this partitioner spreads keys over. */
    public abstract int numPartitions();

    /** Returns the partition of {@code key}, in {@code [0, numPartitions())}. */
    public abstract int partition(Object key);
}
