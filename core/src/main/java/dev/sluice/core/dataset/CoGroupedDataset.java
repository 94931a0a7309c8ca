package dev.sluice.core.dataset;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import dev.sluice.core.Pair;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.shuffle.ShuffleDependency;
import dev.sluice.core.shuffle.ShuffleManager;
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
public final class CoGroupedDataset<K, V, W> extends Dataset<Pair<K, Pair<List<V>, List<W>>>> {
    private volatile Dataset<Pair<K, V>> left;
    private volatile Dataset<Pair<K, W>> right;
    private final Partitioner partitioner;
    private volatile Dependency leftDependency;
    private volatile Dependency rightDependency;

    /** Creates the co-group of {@code left} and {@code right} by {@code partitioner}. */
    public CoGroupedDataset(Dataset<Pair<K, V>> left, Dataset<Pair<K, W>> right, Partitioner partitioner) {
        super(left.engine());
        this.left = left;
        this.right = right;
        this.partitioner = partitioner;
        this.leftDependency = dependencyOn(left);
        this.rightDependency = dependencyOn(right);
        setName("cogroup");
    }

    private <X> Dependency dependencyOn(Dataset<Pair<K, X>> side) {
        if (partitioner.equals(side.partitioner().orElse(null))) {
            return new OneToOneDependency(side);
        }
        EngineRuntime runtime = EngineRuntime.of(engine());
        ShuffleDependency<K, X, X> dep = new ShuffleDependency<>(side, partitioner, null, false,
                runtime.nextShuffleId());
        runtime.registerShuffle(dep);
        return dep;
    }

    @Override
    protected List<Partition> computePartitions() {
        return IndexPartition.range(partitioner.numPartitions());
    }

    @Override
    protected List<Dependency> computeDependencies() {
        return List.of(leftDependency, rightDependency);
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.of(partitioner);
    }

    @Override
    public Iterator<Pair<K, Pair<List<V>, List<W>>>> compute(Partition partition, TaskContext context) {
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

    private <X> Iterator<Pair<K, X>> read(Dataset<Pair<K, X>> side, Dependency dependency, Partition partition,
                                          TaskContext context) {
        if (dependency instanceof ShuffleDependency<?, ?, ?> shuffle) {
            return ShuffleManager.pairs(shuffle.read(partition.index()));
        }
        return side.iterator(side.partitions().get(partition.index()), context);
    }

    /** Drops the parents and this co-group's shuffle outputs: after the checkpoint nothing reads them. */
    @Override
    protected void releaseParents() {
        if (leftDependency == null) {
            return;
        }
        for (Dependency dep : List.of(leftDependency, rightDependency)) {
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
