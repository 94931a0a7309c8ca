package dev.sluice.streaming.window;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.Partitioner;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.spi.ZippedPartitionsDataset;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code reduceByKeyAndWindow} with an inverse function: the window ending at {@code t} is
 * computed from the one ending at {@code t - slide}, by reducing in the batches that entered and
 * inverse-reducing those that left (see {@link SlideMerge}).
 *
 * <p>The parent holds each batch reduced per key and partitioned by one fixed partitioner, and
 * so is every window result: the previous result and the batches that entered and left are
 * co-partitioned and merged partition by partition, so the carried state is never shuffled. The
 * parent's batches and the results are persisted in memory, so each batch is reduced once and the
 * next slide reads the previous result from memory. Because each result depends on the previous
 * one back to the start, this stream must checkpoint; its lineage is cut at every checkpoint.
 */
public final class ReducedWindowedDStream<K, V> extends WindowOperator<Pair<K, V>, Pair<K, V>>
        implements dev.sluice.streaming.statestore.AsyncCheckpointed<Pair<K, V>> {
    private final ReduceFunction<V> f;
    private final ReduceFunction<V> invF;
    private final Partitioner partitioner;
    private final FilterFunction<? super Pair<K, V>> filter;

    /**
     * Creates the window over {@code perBatch}, whose every dataset must be reduced per key with
     * {@code f} and partitioned by {@code partitioner}; {@code filter} may be null (keep all).
     */
    public ReducedWindowedDStream(DStreamNode<Pair<K, V>> perBatch, Window window, ReduceFunction<V> f,
                                  ReduceFunction<V> invF, Partitioner partitioner,
                                  FilterFunction<? super Pair<K, V>> filter) {
        super(perBatch, window, true, OperatorKind.INCREMENTAL_WINDOW);
        this.f = f;
        this.invF = invF;
        this.partitioner = partitioner;
        this.filter = filter;
        persist(StorageLevel.MEMORY);
    }

    @Override
    public Optional<Partitioner> statePartitioner() {
        return Optional.of(partitioner);
    }

    /**
     * A window's result has no update times (keys enter and leave with batches, values are
     * reduced and inverse-reduced), so a delta does not fit it: each checkpoint writes the
     * window's records in full, through the same background writer.
     */
    @Override
    public dev.sluice.streaming.statestore.StateCodec<Pair<K, V>> stateCodec() {
        return dev.sluice.streaming.statestore.StateCodec.records();
    }

    @Override
    protected boolean mustCheckpoint() {
        return true;
    }

    @Override
    protected Optional<Dataset<Pair<K, V>>> compute(Time time) {
        long now = time.millis();
        long slide = window.slide().toMillis();
        long length = window.length().toMillis();
        Optional<Dataset<Pair<K, V>>> previous = now - slide > zeroTime().millis()
                ? datasetAt(new Time(now - slide)) : Optional.empty();
        // previous window: (now - slide - length, now - slide]; this one: (now - length, now]
        List<Dataset<Pair<K, V>>> leaving = Window.datasets(parent(), now - slide - length,
                Math.min(now - slide, now - length));
        List<Dataset<Pair<K, V>>> entering = Window.datasets(parent(), Math.max(now - slide, now - length), now);
        List<Dataset<Pair<K, V>>> parts = new ArrayList<>(1 + leaving.size() + entering.size());
        previous.ifPresent(parts::add);
        parts.addAll(leaving);
        parts.addAll(entering);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        SlideMerge<K, V> merge = new SlideMerge<>(previous.isPresent(), leaving.size(), f, invF, filter,
                name() + " at " + time);
        return Optional.of(ZippedPartitionsDataset.of(engine(), parts, merge, partitioner, name()));
    }
}
