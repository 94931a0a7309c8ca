package dev.sluice.core.dataset;

import java.util.List;

/**
 * Child partitions {@code [outStart, outStart + length)} read parent partitions
 * {@code [inStart, inStart + length)}: how a union sees each of its parents.
 */
public record RangeDependency(DatasetNode<?> parent, int inStart, int outStart, int length) implements NodeDependency {

    @Override
    public boolean isShuffle() {
        return false;
    }

    @Override
    public List<Integer> parentPartitions(int partition) {
        if (partition >= outStart && partition < outStart + length) {
            return List.of(partition - outStart + inStart);
        }
        return List.of();
    }
}
