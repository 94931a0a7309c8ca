package dev.sluice.core.dataset;

import java.util.List;

/** Child partition {@code i} reads parent partition {@code i}. */
public record OneToOneDependency(DatasetNode<?> parent) implements NodeDependency {

    @Override
    public boolean isShuffle() {
        return false;
    }

    @Override
    public List<Integer> parentPartitions(int partition) {
        return List.of(partition);
    }
}
