package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Every narrow per-partition operator (map, filter, flatMap, mapMulti, mapPartitions, mapValues,
 * ...): it wraps the parent's iterator for the same partition, so chains of them fuse into a
 * single pass with no intermediate collection.
 */
public final class MapPartitionsDataset<T, U> extends DatasetNode<U> {
    private volatile DatasetNode<T> parent;
    private volatile PartitionTransform<T, U> transform;
    private final Optional<Partitioner> partitioner;

    /**
     * Creates the operator; {@code preservesPartitioning} says that keys stay where they were, so
     * the parent's partitioner still holds.
     */
    public MapPartitionsDataset(DatasetNode<T> parent, PartitionTransform<T, U> transform,
                                boolean preservesPartitioning, String operation) {
        super(parent.services());
        this.parent = parent;
        this.transform = transform;
        this.partitioner = preservesPartitioning ? parent.partitioner() : Optional.empty();
        setName(operation);
    }

    @Override
    protected List<Partition> computePartitions() {
        return parent.partitions();
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of(new OneToOneDependency(parent));
    }

    @Override
    protected Iterator<U> compute(Partition partition, TaskContext context) {
        return transform.apply(context, partition.index(), parent.iterator(partition, context));
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return partitioner;
    }

    @Override
    protected void releaseParents() {
        parent = null;
        transform = null;
    }
}
