package dev.sluice.core.shuffle;

import dev.sluice.core.Pair;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.IndexPartition;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.dataset.OneToOneDependency;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Groups two keyed datasets' values by key. A side already partitioned by the target
 * partitioner is read narrowly (no shuffle); the other side is shuffled to match.
 */
public final class CoGroupedDataset<K, V, W> extends DatasetNode<Pair<K, Pair<List<V>, List<W>>>> {
    private volatile DatasetNode<Pair<K, V>> left;
    private volatile DatasetNode<Pair<K, W>> right;
    private final Partitioner partitioner;
    private volatile NodeDependency leftDependency;
    private volatile NodeDependency rightDependency;

    /** Creates the co-group of {@code left} and {@code right} by {@code partitioner}. */
    public CoGroupedDataset(DatasetNode<Pair<K, V>> left, DatasetNode<Pair<K, W>> right, Partitioner partitioner) {
        super(left.services());
        this.left = left;
        this.right = right;
        this.partitioner = partitioner;
        this.leftDependency = dependencyOn(left);
        this.rightDependency = dependencyOn(right);
        setName("cogroup");
    }

    private <X> NodeDependency dependencyOn(DatasetNode<Pair<K, X>> side) {
        if (partitioner.equals(side.partitioner().orElse(null))) {
            return new OneToOneDependency(side);
        }
        return new ShuffleDependency<>(side, partitioner, null, false, services().nextShuffleId());
    }

    @Override
    protected List<Partition> computePartitions() {
        return IndexPartition.range(partitioner.numPartitions());
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of(leftDependency, rightDependency);
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.of(partitioner);
    }

    @Override
    protected Iterator<Pair<K, Pair<List<V>, List<W>>>> compute(Partition partition, TaskContext context) {
        Map<K, Pair<List<V>, List<W>>> groups = new HashMap<>();
        Iterator<Pair<K, V>> lefts = read(left, leftDependency, partition, context);
        while (lefts.hasNext()) {
            Pair<K, V> kv = lefts.next();
            groups.computeIfAbsent(kv.key(), k -> Pair.of(new ArrayList<>(), new ArrayList<>())).key().add(kv.value());
        }
        Iterator<Pair<K, W>> rights = read(right, rightDependency, partition, context);
        while (rights.hasNext()) {
            Pair<K, W> kw = rights.next();
            groups.computeIfAbsent(kw.key(), k -> Pair.of(new ArrayList<>(), new ArrayList<>())).value().add(kw.value());
        }
        return dev.sluice.core.shuffle.Aggregator.pairs(groups);
    }

    private <X> Iterator<Pair<K, X>> read(DatasetNode<Pair<K, X>> side, NodeDependency dependency, Partition partition,
                                          TaskContext context) {
        if (dependency instanceof ShuffleDependency<?, ?, ?> shuffle) {
            return ShuffleRegistry.pairs(shuffle.read(partition.index()));
        }
        return side.iterator(side.partitions().get(partition.index()), context);
    }

    /** Drops the parents and this co-group's shuffle outputs: after the checkpoint nothing reads them. */
    @Override
    protected void releaseParents() {
        if (leftDependency == null) {
            return;
        }
        for (NodeDependency dep : List.of(leftDependency, rightDependency)) {
            if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
                shuffle.clearOutputs();
            }
        }
        left = null;
        right = null;
        leftDependency = null;
        rightDependency = null;
    }
}
