package dev.sluice.streaming.state;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import dev.sluice.core.Partitioner;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.SingleParentNode;
import java.util.List;
import java.util.Optional;

/**
 * What both state streams share: the state of batch {@code t} is made from the state of batch
 * {@code t - slide} (read narrowly, never reshuffled: it is already partitioned by the one fixed
 * partitioner) and the new batch, shuffled to that partitioner. State datasets are persisted in
 * memory, so the next batch reads them from the block store, and checkpointed periodically
 * (the stream must checkpoint), so that their lineage stays short.
 *
 * @param <K> the key type
 * @param <V> the value type of the input
 * @param <T> the record type of the state datasets
 */
public abstract class AbstractStateDStream<K, V, T> extends SingleParentNode<Pair<K, V>, T> {
    private final Partitioner partitioner;
    /** Set by recovery for a node new in the graph: no state before this time. */
    private volatile Time emptyUntil;

    /** Creates the state node of {@code kind} over {@code parent}, partitioned by {@code partitioner}. */
    protected AbstractStateDStream(DStreamNode<Pair<K, V>> parent, Partitioner partitioner, OperatorKind kind) {
        super(parent, kind);
        this.partitioner = partitioner;
        persist(StorageLevel.MEMORY);
    }

    /**
     * Returns the state dataset after batch {@code time}.
     *
     * @param previous the state dataset after the previous batch, or empty for the first batch
     * @param batch    the new batch, partitioned by {@link #partitioner()}
     */
    protected abstract Dataset<T> nextState(Optional<Dataset<T>> previous, PairDataset<K, V> batch, Time time);

    /** Returns the state's partitioner. */
    public Partitioner partitioner() {
        return partitioner;
    }

    @Override
    public void startEmptyAfter(Time time) {
        this.emptyUntil = time;
    }

    @Override
    public Optional<Partitioner> statePartitioner() {
        return Optional.of(partitioner);
    }

    @Override
    protected boolean mustCheckpoint() {
        return true;
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        Time before = time.minus(slideDuration());
        Time empty = emptyUntil;
        Optional<Dataset<T>> previous = before.isAfter(zeroTime()) && (empty == null || before.isAfter(empty))
                ? datasetAt(before) : Optional.empty();
        Dataset<Pair<K, V>> in = parent().datasetAt(time).orElseGet(
                () -> engine().parallelize(List.of(), partitioner.numPartitions()));
        return Optional.of(nextState(previous, PairDataset.of(in).partitionBy(partitioner), time));
    }

    /**
     * After batch {@code time}, the next batch reads only its state, and child streams read back
     * only as far as they asked (a window over the state reads its whole window). Older
     * remembered state datasets are kept for their lineage (recomputation from the last
     * checkpoint), not in memory: caching them would pin a copy of the state per remembered batch
     * (two checkpoint intervals' worth), which for a large state is most of the heap.
     */
    @Override
    protected void afterRelease(Time time) {
        Time keepAfter = time.millis() > childRememberDuration().toMillis() ? time.minus(childRememberDuration())
                : new Time(0);
        EngineServices runtime = EngineServices.of(engine());
        for (Time t : rememberedTimes()) {
            if (!t.isAfter(keepAfter)) {
                rememberedAt(t).filter(ds -> ds.storageLevel() != StorageLevel.NONE).ifPresent(ds -> {
                    ds.unpersist();
                    // Its batch's shuffle output (every raw record of the batch) is no longer read either.
                    runtime.releaseShuffleOutputs(ds);
                });
            }
        }
    }
}
