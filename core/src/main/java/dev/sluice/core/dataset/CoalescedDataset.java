package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import dev.sluice.core.TaskContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** Merges runs of neighbouring parent partitions into fewer partitions, without a shuffle. */
public final class CoalescedDataset<T> extends DatasetNode<T> {
    private volatile DatasetNode<T> parent;
    private final int numPartitions;

    /** Creates the dataset of {@code parent} in {@code numPartitions} partitions. */
    public CoalescedDataset(DatasetNode<T> parent, int numPartitions) {
        super(parent.services());
        this.parent = parent;
        this.numPartitions = numPartitions;
        setName("coalesce");
    }

    private int firstParent(int partition) {
        return (int) ((long) partition * parent.numPartitions() / numPartitions);
    }

    @Override
    protected List<Partition> computePartitions() {
        return IndexPartition.range(numPartitions);
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of(new NodeDependency() {
            @Override
            public DatasetNode<?> parent() {
                return parent;
            }

            @Override
            public boolean isShuffle() {
                return false;
            }

            @Override
            public List<Integer> parentPartitions(int partition) {
                List<Integer> out = new ArrayList<>();
                for (int i = firstParent(partition); i < firstParent(partition + 1); i++) {
                    out.add(i);
                }
                return out;
            }
        });
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        DatasetNode<T> source = parent;
        List<Partition> parentPartitions = source.partitions();
        int from = firstParent(partition.index());
        int to = firstParent(partition.index() + 1);
        return new Iterator<>() {
            private int next = from;
            private Iterator<T> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && next < to) {
                    current = source.iterator(parentPartitions.get(next++), context);
                }
                return current.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    @Override
    protected void releaseParents() {
        parent = null;
    }
}
