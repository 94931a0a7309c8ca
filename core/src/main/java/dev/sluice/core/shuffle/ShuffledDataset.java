package dev.sluice.core.shuffle;

import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.IndexPartition;
import dev.sluice.core.dataset.Iterators;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.dataset.ZeroValues;
import dev.sluice.core.serializer.KryoSerializer;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The output side of a shuffle: partition {@code r} reads bucket {@code r} of every map output,
 * then merges combiners by key (with an aggregator), sorts by key (with an ordering), or just
 * concatenates (a repartitioning).
 */
public final class ShuffledDataset<K, V, C> extends DatasetNode<Pair<K, C>> {
    private volatile ShuffleDependency<K, V, C> dependency;
    private final Partitioner partitioner;
    private final Comparator<? super K> keyOrdering;

    /** Creates the shuffle of {@code parent} by {@code partitioner}. */
    public ShuffledDataset(DatasetNode<Pair<K, V>> parent, Partitioner partitioner, Aggregator<K, V, C> aggregator,
                           boolean mapSideCombine, Comparator<? super K> keyOrdering) {
        this(parent, partitioner, aggregator, mapSideCombine, keyOrdering, false);
    }

    private ShuffledDataset(DatasetNode<Pair<K, V>> parent, Partitioner partitioner, Aggregator<K, V, C> aggregator,
                            boolean mapSideCombine, Comparator<? super K> keyOrdering, boolean internal) {
        super(parent.services());
        this.dependency = new ShuffleDependency<>(parent, partitioner, aggregator, mapSideCombine, internal,
                services().nextShuffleId());
        this.partitioner = partitioner;
        this.keyOrdering = keyOrdering;
        setName(aggregator != null ? "combineByKey" : keyOrdering != null ? "sortByKey" : "partitionBy");
    }

    /**
     * Returns the engine's own gather of {@code parent}'s few records into one partition, reduced
     * by key with {@code aggregator} (a reducing one) on the reduce side only. Its map side is
     * written by a loop of its own, so that it never shares a type profile with user shuffles
     * (see {@link ShuffleDependency#write}).
     */
    public static <K, V> ShuffledDataset<K, V, V> internalGather(DatasetNode<Pair<K, V>> parent,
                                                                 Aggregator<K, V, V> aggregator) {
        ShuffledDataset<K, V, V> gather = new ShuffledDataset<>(parent, new HashPartitioner(1), aggregator, false,
                null, true);
        gather.setName("gather");
        return gather;
    }

    @Override
    protected List<Partition> computePartitions() {
        return IndexPartition.range(partitioner.numPartitions());
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of(dependency);
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.of(partitioner);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterator<Pair<K, C>> compute(Partition partition, TaskContext context) {
        Aggregator<K, V, C> aggregator = dependency.aggregator();
        if (aggregator != null && dependency.mapSideCombine()) {
            return aggregator.mergeCombined(dependency.readOutputs(), partition.index(),
                    firstCombinerCopier(dependency.parent().numPartitions()));
        }
        List<Object[]> buckets = dependency.read(partition.index());
        if (aggregator != null) {
            return aggregator.mergeBuckets(buckets);
        }
        Iterator<Pair<K, C>> records = ShuffleRegistry.pairs(buckets);
        if (keyOrdering == null) {
            return records;
        }
        List<Pair<K, C>> all = Iterators.toList(records);
        all.sort((a, b) -> keyOrdering.compare(a.key(), b.key()));
        return all.iterator();
    }

    /**
     * Map outputs stay in the shuffle dependency and are read again by later jobs and retries, so a
     * combiner taken from one must not become the accumulator that mergeCombiners may mutate: the
     * first combiner of a key is copied (Kryo) when it is mutable and another map output may still
     * merge into it. Immutable JDK values (the reduceByKey hot path) are never copied.
     */
    private UnaryOperator<Object> firstCombinerCopier(int mapOutputs) {
        if (mapOutputs < 2) {
            return UnaryOperator.identity();
        }
        KryoSerializer serializer = services().serializer();
        return c -> ZeroValues.isImmutable(c) ? c : serializer.deserialize(serializer.serialize(c));
    }

    /** Drops the parent and this shuffle's outputs: after the checkpoint nothing reads them. */
    @Override
    protected void releaseParents() {
        dependency.clearOutputs();
        dependency = null;
    }
}
