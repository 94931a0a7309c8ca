package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import dev.sluice.core.TaskContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The partitions of several datasets side by side; narrow, no data is moved. */
public final class UnionDataset<T> extends DatasetNode<T> {
    private volatile List<DatasetNode<T>> parents;

    /** Creates the union of {@code parents}, in order. */
    public UnionDataset(NodeServices services, List<? extends DatasetNode<T>> parents) {
        super(services);
        this.parents = List.copyOf(parents);
        setName("union");
    }

    private record UnionPartition(int index, int parent, Partition parentPartition) implements Partition {
    }

    @Override
    protected List<Partition> computePartitions() {
        List<Partition> out = new ArrayList<>();
        for (int i = 0; i < parents.size(); i++) {
            for (Partition p : parents.get(i).partitions()) {
                out.add(new UnionPartition(out.size(), i, p));
            }
        }
        return out;
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        List<NodeDependency> out = new ArrayList<>(parents.size());
        int start = 0;
        for (DatasetNode<T> parent : parents) {
            int n = parent.numPartitions();
            out.add(new RangeDependency(parent, 0, start, n));
            start += n;
        }
        return out;
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        UnionPartition up = (UnionPartition) partitions().get(partition.index());
        return parents.get(up.parent()).iterator(up.parentPartition(), context);
    }

    @Override
    protected void releaseParents() {
        parents = null;
    }
}
