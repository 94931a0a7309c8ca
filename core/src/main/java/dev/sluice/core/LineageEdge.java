package dev.sluice.core;

import dev.sluice.core.dataset.NodeDependency;
import java.util.List;

/** A node's dependency as the API shows it: the same edge, with the parent as a dataset handle. */
record LineageEdge(Dataset<?> parent, NodeDependency edge) implements Dependency {

    @Override
    public boolean isShuffle() {
        return edge.isShuffle();
    }

    @Override
    public List<Integer> parentPartitions(int partition) {
        return edge.parentPartitions(partition);
    }
}
