package dev.sluice.core.dataset;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import dev.sluice.core.Pair;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.serializer.KryoSerializer;
import dev.sluice.core.shuffle.Aggregator;
import dev.sluice.core.shuffle.ShuffleDependency;
import dev.sluice.core.shuffle.ShuffleManager;
import dev.sluice.core.dataset.UserCodeException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The output side of a shuffle: partition {@code r} reads bucket {@code r} of every map output,
 * then merges combiners by key (with an aggregator), sorts by key (with an ordering), or just
 * concatenates (a repartitioning).
 */
public final class ShuffledDataset<K, V, C> extends Dataset<Pair<K, C>> {
    private final ShuffleDependency<K, V, C> dependency;
    private final Comparator<? super K> keyOrdering;

    /** Creates the shuffle of {@code parent} by {@code partitioner}. */
    public ShuffledDataset(Dataset<Pair<K, V>> parent, Partitioner partitioner, Aggregator<K, V, C> aggregator,
                           boolean mapSideCombine, Comparator<? super K> keyOrdering) {
        super(parent.engine());
        EngineRuntime runtime = EngineRuntime.of(parent.engine());
        this.dependency = new ShuffleDependency<>(parent, partitioner, aggregator, mapSideCombine,
                runtime.nextShuffleId());
        runtime.registerShuffle(this, dependency.shuffleId(), parent.numPartitions());
        this.keyOrdering = keyOrdering;
        setName(aggregator != null ? "combineByKey" : keyOrdering != null ? "sortByKey" : "partitionBy");
    }

    @Override
    protected List<Partition> computePartitions() {
        List<Partition> out = new ArrayList<>(dependency.partitioner().numPartitions());
        for (int i = 0; i < dependency.partitioner().numPartitions(); i++) {
            out.add(new IndexPartition(i));
        }
        return out;
    }

    @Override
    protected List<Dependency> computeDependencies() {
        return List.of(dependency);
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.of(dependency.partitioner());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterator<Pair<K, C>> compute(Partition partition, TaskContext context) {
        ShuffleManager shuffles = EngineRuntime.of(engine()).shuffleManager();
        List<Object[]> buckets = shuffles.read(dependency.shuffleId(), partition.index());
        Aggregator<K, V, C> aggregator = dependency.aggregator();
        if (aggregator != null) {
            return Aggregator.pairs(merge(buckets, aggregator));
        }
        Iterator<Pair<K, C>> records = ShuffleManager.pairs(buckets);
        if (keyOrdering == null) {
            return records;
        }
        List<Pair<K, C>> all = Iterators.toList(records);
        all.sort((a, b) -> keyOrdering.compare(a.key(), b.key()));
        return all.iterator();
    }

    @SuppressWarnings("unchecked")
    private Map<K, C> merge(List<Object[]> buckets, Aggregator<K, V, C> aggregator) {
        int largest = 0;
        for (Object[] b : buckets) {
            largest = Math.max(largest, b.length / 2);
        }
        Map<K, C> merged = new HashMap<>((int) (largest / 0.75f) + 1);
        BiFunction<C, C, C> mergeFunction = aggregator.mergeFunction();
        boolean combined = dependency.mapSideCombine();
        // Map outputs stay in the shuffle manager and are read again by later jobs and retries, so
        // a combiner taken from one must not become the accumulator mergeCombiners may mutate: the
        // first combiner of a key is copied when it can still meet another one.
        KryoSerializer copier = combined && buckets.size() > 1 ? EngineRuntime.of(engine()).serializer() : null;
        try {
            for (Object[] b : buckets) {
                for (int i = 0; i < b.length; i += 2) {
                    if (combined) {
                        K key = (K) b[i];
                        C combiner = (C) b[i + 1];
                        if (copier != null && !ZeroValues.isImmutable(combiner) && !merged.containsKey(key)) {
                            combiner = copier.deserialize(copier.serialize(combiner));
                        }
                        aggregator.mergeOneCombiner(key, combiner, merged, mergeFunction);
                    } else {
                        aggregator.mergeOneValue((K) b[i], (V) b[i + 1], merged);
                    }
                }
            }
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
        return merged;
    }
}
