package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.dstream.TransformedDStream;
import dev.sluice.streaming.state.MapWithStateRecordDStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The stream {@link PairDStream#mapWithState} returns: each batch holds what the mapping function
 * returned for that batch's records (and timed-out keys). {@link #stateSnapshots()} gives the
 * state itself.
 *
 * <p>The state behind it is checkpointed periodically (by default every multiple of the slide
 * of at least 10 s; set another interval with {@link #checkpoint(Duration)}), so the context
 * needs a checkpoint directory.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @param <S> the state type
 * @param <R> the output type
 */
public final class MapWithStateDStream<K, V, S, R> extends DStream<R> {
    private final MapWithStateRecordDStream<K, V, S, R> state;

    MapWithStateDStream(MapWithStateRecordDStream<K, V, S, R> state) {
        super(state.context());
        this.state = state;
        setName("mapWithState");
    }

    /** Returns a keyed stream of every key and its state after each batch. */
    public PairDStream<K, S> stateSnapshots() {
        return PairDStream.of(new TransformedDStream<>(state, (ds, t) -> MapWithStateRecordDStream.snapshots(ds),
                "stateSnapshots"));
    }

    /**
     * Checkpoints the state every {@code interval} instead of the default; returns this stream.
     *
     * @throws IllegalArgumentException if {@code interval} is not a positive multiple of the slide
     */
    @Override
    public MapWithStateDStream<K, V, S, R> checkpoint(Duration interval) {
        checkNotNull(interval, "interval");
        state.checkpoint(interval);
        return this;
    }

    @Override
    public Optional<Duration> checkpointInterval() {
        return state.checkpointInterval();
    }

    @Override
    public Duration slideDuration() {
        return state.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(state);
    }

    @Override
    protected Optional<Dataset<R>> compute(Time time) {
        return state.datasetAt(time).map(MapWithStateRecordDStream::mapped);
    }
}
