package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.TransformedDStream;
import dev.sluice.streaming.state.MapWithStateRecordDStream;
import java.time.Duration;
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

    /** Makes the handle on the outputs of {@code state}: a node that reads each batch's state records. */
    MapWithStateDStream(StreamingContext context, MapWithStateRecordDStream<K, V, S, R> state) {
        super(context, new TransformedDStream<>(state, OperatorKind.MAP_WITH_STATE_OUTPUTS,
                (ds, t) -> MapWithStateRecordDStream.mapped(ds)));
        this.state = state;
    }

    /** Names the state behind this stream (see {@link DStream#uid}); returns this stream. */
    @Override
    public MapWithStateDStream<K, V, S, R> uid(String uid) {
        super.uid(uid);
        return this;
    }

    @Override
    DStreamNode<?> identityNode() {
        return state;
    }

    /** Returns a keyed stream of every key and its state after each batch. */
    public PairDStream<K, S> stateSnapshots() {
        return pairs(new TransformedDStream<>(state, OperatorKind.STATE_SNAPSHOTS,
                (ds, t) -> MapWithStateRecordDStream.snapshots(ds)));
    }

    /**
     * Checkpoints the state every {@code interval} instead of the default; returns this stream.
     *
     * @throws IllegalArgumentException if {@code interval} is not a positive multiple of the slide
     */
    @Override
    public MapWithStateDStream<K, V, S, R> checkpoint(Duration interval) {
        checkNotNull(interval, "interval");
        context().checkCanAddOperation();
        state.checkpoint(interval);
        return this;
    }

    /** Returns the checkpoint interval of the state. */
    @Override
    public Optional<Duration> checkpointInterval() {
        return state.checkpointInterval();
    }
}
