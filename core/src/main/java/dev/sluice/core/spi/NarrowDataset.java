package dev.sluice.core.spi;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Partition;
import dev.sluice.core.TaskContext;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.IndexPartition;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.dataset.OneToOneDependency;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The base of a dataset another module defines (the stream engine's received blocks and state
 * batches): a lineage node whose partition {@code i} reads partition {@code i} of each of its
 * parents, or a source with no parents. A subclass says which parents it has, how many partitions
 * and how to compute one; {@link #toDataset()} gives the handle users and jobs see.
 *
 * <p>The rules of {@code DatasetNode} hold: {@link #compute} takes from its parents everything
 * the returned iterator needs before it returns, and {@link #releaseParents} drops the parent
 * references once the dataset is checkpointed.
 *
 * @param <T> the element type
 */
public abstract class NarrowDataset<T> extends DatasetNode<T> {
    private final Engine engine;

    /** Creates a dataset of {@code engine} with a fresh id, named {@code name}. */
    protected NarrowDataset(Engine engine, String name) {
        super(Handles.ACCESS.runtime(engine).nodes());
        this.engine = engine;
        setName(name);
    }

    /**
     * Returns the parents, each read one-to-one (partition {@code i} of this dataset reads
     * partition {@code i} of each); empty for a source. Called once, before any release.
     */
    protected abstract List<Dataset<?>> narrowParents();

    @Override
    protected final List<NodeDependency> computeDependencies() {
        List<Dataset<?>> parents = narrowParents();
        List<NodeDependency> out = new ArrayList<>(parents.size());
        for (Dataset<?> parent : parents) {
            out.add(new OneToOneDependency(Handles.ACCESS.node(parent)));
        }
        return out;
    }

    /** Returns the records of partition {@code partition} of {@code parent}, as a task reads them. */
    protected static <P> Iterator<P> read(Dataset<P> parent, int partition, TaskContext context) {
        DatasetNode<P> node = Handles.ACCESS.node(parent);
        return node.iterator(node.partitions().get(partition), context);
    }

    /** Returns partitions {@code 0 .. n-1}, each nothing but its index. */
    protected static List<Partition> indexPartitions(int n) {
        return IndexPartition.range(n);
    }

    /** Returns the handle of this dataset. */
    public final Dataset<T> toDataset() {
        return Handles.ACCESS.handle(engine, this);
    }
}
