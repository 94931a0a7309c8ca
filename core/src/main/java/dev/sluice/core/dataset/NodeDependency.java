package dev.sluice.core.dataset;

import java.util.List;

/**
 * How a node depends on one parent node: narrowly (each child partition reads a few known parent
 * partitions, fused into one pass) or through a shuffle (a stage boundary). The internal twin of
 * the API's {@link dev.sluice.core.Dependency}, which shows the same edge with the parent as a
 * dataset handle.
 */
public interface NodeDependency {

    /** Returns the parent node. */
    DatasetNode<?> parent();

    /** Returns true if this dependency is a shuffle, and so a stage boundary. */
    boolean isShuffle();

    /** Returns the parent partitions that child partition {@code partition} reads. */
    List<Integer> parentPartitions(int partition);
}
