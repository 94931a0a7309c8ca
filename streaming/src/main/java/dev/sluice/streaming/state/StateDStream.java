package dev.sluice.streaming.state;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import dev.sluice.core.Partitioner;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.function.UpdateStateFunction;
import java.util.List;
import java.util.Optional;

/**
 * The stream of {@code updateStateByKey}: each batch co-groups the previous state with the new
 * batch's values (both partitioned by the state's partitioner, so nothing of the state moves)
 * and calls the update function for every key of either side. Each batch therefore costs the
 * whole state, which is what updateStateByKey's contract (a call per key per batch) asks for;
 * mapWithState is the operation whose cost follows the keys a batch touches.
 */
public final class StateDStream<K, V, S> extends AbstractStateDStream<K, V, Pair<K, S>>
        implements dev.sluice.streaming.statestore.AsyncCheckpointed<Pair<K, S>> {
    private final UpdateStateFunction<V, S> function;
    private final Dataset<Pair<K, S>> initialState;

    /** Creates the state stream; {@code initialState} may be {@code null}. */
    public StateDStream(DStreamNode<Pair<K, V>> parent, UpdateStateFunction<V, S> function, Partitioner partitioner,
                        Dataset<Pair<K, S>> initialState) {
        super(parent, partitioner, OperatorKind.UPDATE_STATE_BY_KEY);
        this.function = function;
        this.initialState = initialState;
    }

    /** Every key's state may change every batch (the function is called per key), so each checkpoint is full. */
    @Override
    public dev.sluice.streaming.statestore.StateCodec<Pair<K, S>> stateCodec() {
        return dev.sluice.streaming.statestore.StateCodec.records();
    }

    @Override
    protected Dataset<Pair<K, S>> nextState(Optional<Dataset<Pair<K, S>>> previous, PairDataset<K, V> batch,
                                            Time time) {
        Partitioner p = partitioner();
        Optional<Dataset<Pair<K, S>>> state = previous.isPresent() ? previous : Optional.ofNullable(initialState);
        PairDataset<K, Pair<List<S>, List<V>>> grouped = state.isPresent()
                ? PairDataset.<K, S>of(state.get()).partitionBy(p).cogroup(batch, p)
                : batch.groupByKey(p).mapValues(values -> Pair.of(List.<S>of(), values));
        return new UpdateStateDataset<>(grouped, p, function).toDataset();
    }
}
