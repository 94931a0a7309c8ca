package dev.sluice.streaming.window;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.Partitioner;
import dev.sluice.core.spi.ZippedPartitionsDataset;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import java.util.List;
import java.util.Optional;

/**
 * A keyed reduction over a whole window, without an inverse function ({@code reduceByKeyAndWindow}
 * without one, {@code groupByKeyAndWindow}): the parent holds each batch already reduced per key
 * and partitioned by one fixed partitioner, so the window's batches are co-partitioned and are
 * merged per key partition by partition, with no shuffle.
 */
public final class KeyedWindowDStream<K, V> extends WindowOperator<Pair<K, V>, Pair<K, V>> {
    private final ReduceFunction<V> merge;
    private final Partitioner partitioner;

    /**
     * Creates the window over {@code perBatch}, whose every dataset must be reduced per key and
     * partitioned by {@code partitioner}; {@code merge} merges two values of a key (it must not
     * modify its arguments: they may be cached).
     */
    public KeyedWindowDStream(DStreamNode<Pair<K, V>> perBatch, Window window, ReduceFunction<V> merge,
                              Partitioner partitioner) {
        super(perBatch, window, window.overlaps(), OperatorKind.KEYED_WINDOW);
        this.merge = merge;
        this.partitioner = partitioner;
    }

    /** Returns the window of {@code perBatch}'s per-batch groups, concatenated per key in time order. */
    public static <K, V> KeyedWindowDStream<K, List<V>> grouping(DStreamNode<Pair<K, List<V>>> perBatch,
                                                                 Window window, Partitioner partitioner) {
        return new KeyedWindowDStream<>(perBatch, window, KeyedMerges::concat, partitioner);
    }

    @Override
    protected Optional<Dataset<Pair<K, V>>> compute(Time time) {
        List<Dataset<Pair<K, V>>> batches = window.datasetsEndingAt(parent(), time);
        if (batches.isEmpty()) {
            return Optional.empty();
        }
        ReduceFunction<V> f = merge;
        return Optional.of(ZippedPartitionsDataset.<Pair<K, V>, Pair<K, V>>of(engine(), batches,
                parts -> KeyedMerges.pairs(KeyedMerges.reduce(parts, f)), partitioner, name()));
    }
}
