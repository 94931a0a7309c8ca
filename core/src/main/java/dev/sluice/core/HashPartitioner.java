package dev.sluice.core;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.shuffle.HashPlacement;

/**
 * Places a key by its {@code hashCode()} modulo the number of partitions (null keys go to 0).
 * The default partitioner of every keyed operation.
 */
public final class HashPartitioner extends Partitioner {
    private final int numPartitions;

    /**
     * Creates a partitioner over {@code numPartitions} partitions.
     *
     * @throws IllegalArgumentException if {@code numPartitions <= 0}
     */
    public HashPartitioner(int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        this.numPartitions = numPartitions;
    }

    @Override
    public int numPartitions() {
        return numPartitions;
    }

    @Override
    public int partition(Object key) {
        if (key == null) {
            return 0;
        }
        return HashPlacement.partition(key.hashCode(), numPartitions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashPartitioner other && other.numPartitions == numPartitions;
    }

    @Override
    public int hashCode() {
        return numPartitions;
    }

    @Override
    public String toString() {
        return "HashPartitioner(" + numPartitions + ")";
    }
}
