package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import dev.sluice.core.TaskContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A dataset over an in-memory list, split into contiguous slices: slice {@code p} of {@code P}
 * holds elements {@code [p*n/P, (p+1)*n/P)}. The list is copied once, so later changes to the
 * caller's list are not seen.
 */
public final class ParallelCollectionDataset<T> extends DatasetNode<T> {
    private final List<List<T>> slices;

    /** Creates the dataset of {@code data} in {@code numPartitions} slices. */
    public ParallelCollectionDataset(NodeServices services, List<T> data, int numPartitions) {
        super(services);
        List<T> copy = new ArrayList<>(data);
        List<List<T>> s = new ArrayList<>(numPartitions);
        int n = copy.size();
        for (int p = 0; p < numPartitions; p++) {
            int from = (int) ((long) p * n / numPartitions);
            int to = (int) ((long) (p + 1) * n / numPartitions);
            s.add(java.util.Collections.unmodifiableList(copy.subList(from, to)));
        }
        this.slices = s;
        setName("parallelize");
    }

    @Override
    protected List<Partition> computePartitions() {
        return IndexPartition.range(slices.size());
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of();
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        return slices.get(partition.index()).iterator();
    }
}
