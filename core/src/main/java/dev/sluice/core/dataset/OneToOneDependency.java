package dev.sluice.core.dataset;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import java.util.List;

/** Child partition {@code i} reads parent partition {@code i}. */
public record OneToOneDependency(Dataset<?> parent) implements Dependency {

    @Override
    public boolean isShuffle() {
        return false;
    }

    @Override
    public List<Integer> parentPartitions(int partition) {
        return List.of(partition);
    }
}
