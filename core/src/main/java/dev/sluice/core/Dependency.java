package dev.sluice.core;

import java.util.List;

/**
 * How a dataset depends on one parent: narrowly (each child partition reads a few known
 * parent partitions, fused into one pass) or through a shuffle (every child partition may read
 * every parent partition; a stage boundary).
 */
public interface Dependency {

    /** Returns the parent dataset. */
    Dataset<?> parent();

    /** Returns true if this dependency is a shuffle, and so a stage boundary. */
    boolean isShuffle();

    /**
     * Returns the parent partitions that child partition {@code partition} reads; for a shuffle,
     * every parent partition.
     */
    List<Integer> parentPartitions(int partition);
}
