package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import dev.sluice.core.TaskContext;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** A dataset with no partitions and no records. */
public final class EmptyDataset<T> extends DatasetNode<T> {

    /** Creates the empty dataset. */
    public EmptyDataset(NodeServices services) {
        super(services);
        setName("empty");
    }

    @Override
    protected List<Partition> computePartitions() {
        return List.of();
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of();
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        return Collections.emptyIterator();
    }
}
