package dev.sluice.streaming.state;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import dev.sluice.core.Partitioner;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.function.StateMappingFunction;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The state stream of mapWithState: one {@link StateRecord} per partition per batch (see
 * {@link MapWithStateDataset}). The public {@code MapWithStateDStream}'s node and its state snapshots
 * read it ({@link #mapped}, {@link #snapshots}).
 */
public final class MapWithStateRecordDStream<K, V, S, R> extends AbstractStateDStream<K, V, StateRecord<K, S, R>>
        implements dev.sluice.streaming.statestore.AsyncCheckpointed<StateRecord<K, S, R>> {
    private final StateMappingFunction<K, V, S, R> function;
    private final Dataset<Pair<K, S>> initialState;
    private final long timeoutMillis;

    /** Creates the state stream of {@code spec} over {@code parent}. */
    public MapWithStateRecordDStream(DStreamNode<Pair<K, V>> parent, StateSpec<K, V, S, R> spec, Partitioner partitioner) {
        super(parent, partitioner, OperatorKind.MAP_WITH_STATE);
        this.function = spec.function();
        this.initialState = spec.initialState().orElse(null);
        this.timeoutMillis = spec.timeout().map(Duration::toMillis).orElse(0L);
    }

    @Override
    protected Dataset<StateRecord<K, S, R>> nextState(Optional<Dataset<StateRecord<K, S, R>>> previous,
                                                      PairDataset<K, V> batch, Time time) {
        Dataset<StateRecord<K, S, R>> before = previous.orElse(null);
        if (before == null && initialState != null) {
            before = initialRecords(time);
        }
        return new MapWithStateDataset<>(before, batch, partitioner(), function, time.millis(), timeoutMillis)
                .toDataset();
    }

    @Override
    public long keyCount(Dataset<StateRecord<K, S, R>> state) {
        return state.map(r -> r.state().size()).fold(0L, Long::sum);
    }

    @Override
    public dev.sluice.streaming.statestore.StateCodec<StateRecord<K, S, R>> stateCodec() {
        return new StateMapCodec<>();
    }

    /** The initial state as state records; its keys count as updated at the first batch's time. */
    private Dataset<StateRecord<K, S, R>> initialRecords(Time first) {
        long millis = first.millis();
        return PairDataset.<K, S>of(initialState).partitionBy(partitioner())
                .mapPartitions(it -> List.of(new StateRecord<K, S, R>(load(it, millis), List.of())).iterator())
                .setName("mapWithState initial state");
    }

    private static <K, S> StateMap<K, S> load(Iterator<Pair<K, S>> pairs, long millis) {
        StateMap<K, S> map = StateMap.empty();
        while (pairs.hasNext()) {
            Pair<K, S> kv = pairs.next();
            map.put(kv.key(), kv.value(), millis);
        }
        return map;
    }

    /** Returns the outputs of the mapping function in a state dataset. */
    public static <K, S, R> Dataset<R> mapped(Dataset<StateRecord<K, S, R>> records) {
        return records.flatMap(StateRecord::mapped).setName("mapWithState outputs");
    }

    /**
     * Returns every key and state of a state dataset, each pair made as it is read: a partition's
     * one record expands to all its keys, which {@code mapMulti} would first collect in one growing
     * array (for a 5,000,000-key partition a humongous array, doubled a dozen times).
     */
    public static <K, S, R> PairDataset<K, S> snapshots(Dataset<StateRecord<K, S, R>> records) {
        Dataset<Pair<K, S>> pairs = records.flatMap((StateRecord<K, S, R> record) -> () ->
                com.google.common.collect.Iterators.transform(record.state().iterator(),
                        e -> Pair.of(e.key(), e.state())));
        return PairDataset.of(pairs.setName("stateSnapshots"));
    }
}
