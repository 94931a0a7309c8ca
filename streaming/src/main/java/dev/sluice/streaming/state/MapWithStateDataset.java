package dev.sluice.streaming.state;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.spi.NarrowDataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.function.StateMappingFunction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One batch of mapWithState: partition {@code i} reads the previous state's partition {@code i}
 * (one {@link StateRecord}) and the new batch's partition {@code i} (already partitioned by the
 * state's partitioner), calls the mapping function per record and, with a timeout, per idle
 * key, and returns one record: a new {@link StateMap} level on the previous one, and the
 * outputs. Both dependencies are narrow.
 */
public final class MapWithStateDataset<K, V, S, R> extends NarrowDataset<StateRecord<K, S, R>> {
    private volatile Dataset<StateRecord<K, S, R>> previous;
    private volatile Dataset<Pair<K, V>> batch;
    private final boolean hasPrevious;
    private final Partitioner partitioner;
    private final StateMappingFunction<K, V, S, R> function;
    private final long batchMillis;
    private final long timeoutMillis;

    /**
     * Creates the batch at {@code batchMillis}; {@code previous} is {@code null} for an empty
     * previous state, {@code timeoutMillis} is 0 for no timeout.
     */
    public MapWithStateDataset(Dataset<StateRecord<K, S, R>> previous, Dataset<Pair<K, V>> batch,
                               Partitioner partitioner, StateMappingFunction<K, V, S, R> function, long batchMillis,
                               long timeoutMillis) {
        super(batch.engine(), "mapWithState");
        this.previous = previous;
        this.hasPrevious = previous != null;
        this.batch = batch;
        this.partitioner = partitioner;
        this.function = function;
        this.batchMillis = batchMillis;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected List<Partition> computePartitions() {
        return indexPartitions(partitioner.numPartitions());
    }

    /** Drops the previous state and the batch once this state is checkpointed. */
    @Override
    protected void releaseParents() {
        previous = null;
        batch = null;
    }

    @Override
    protected List<Dataset<?>> narrowParents() {
        return !hasPrevious ? List.of(batch) : List.of(previous, batch);
    }

    @Override
    protected Iterator<StateRecord<K, S, R>> compute(Partition partition, TaskContext context) {
        int i = partition.index();
        Dataset<StateRecord<K, S, R>> prev = previous;
        Dataset<Pair<K, V>> in = batch;
        StateMap<K, S> before = !hasPrevious ? StateMap.empty()
                : read(prev, i, context).next().state();
        Iterator<Pair<K, V>> records = read(in, i, context);
        try {
            return List.of(update(before, records)).iterator();
        } catch (Exception e) {
            throw UserExceptions.wrap(e);
        }
    }

    private StateRecord<K, S, R> update(StateMap<K, S> before, Iterator<Pair<K, V>> records) throws Exception {
        StateMap<K, S> map = before.newDelta();
        // One output per record, so a chunked list: no copying growth, no humongous array (ChunkedList).
        List<R> mapped = new ChunkedList<>();
        MappingState.Present<S> present = MappingState.present();
        MappingState.Absent<S> absent = MappingState.absent();
        // Optional is immutable and value-based: consecutive records with the same value object
        // (a batch of (word, 1) pairs shares the one cached Integer) share one Optional.
        V lastValue = null;
        Optional<V> lastOptional = Optional.empty();
        while (records.hasNext()) {
            Pair<K, V> kv = records.next();
            K key = kv.key();
            S current = map.getForUpdate(key);
            V value = kv.value();
            if (value != lastValue) {
                lastValue = value;
                lastOptional = Optional.ofNullable(value);
            }
            // One call site per State class, so that C2 can remove the Optional of
            // state.toOptional() for keys with state (MappingState's class comment).
            MappingState<S> state;
            if (current != null) {
                present.reset(current, false);
                mapped.add(function.call(key, lastOptional, present));
                state = present;
            } else {
                absent.reset(null, false);
                mapped.add(function.call(key, lastOptional, absent));
                state = absent;
            }
            if (state.isRemoved()) {
                map.remove(key, batchMillis);
            } else if (state.isUpdated() || (timeoutMillis > 0 && state.exists())) {
                map.put(key, state.get(), batchMillis, current != null);
            }
        }
        if (timeoutMillis > 0) {
            timeOutIdleKeys(map, present, mapped);
        }
        return new StateRecord<>(map.compacted(), mapped);
    }

    /** Scans every key (only done with a timeout): calls the function once for each idle key and removes it. */
    private void timeOutIdleKeys(StateMap<K, S> map, MappingState.Present<S> state, List<R> mapped) throws Exception {
        long idleBefore = batchMillis - timeoutMillis;
        List<StateMap.Entry<K, S>> idle = new ArrayList<>();
        map.forEachLive((key, s, time) -> {
            if (time <= idleBefore) {
                idle.add(new StateMap.Entry<>(key, s, time));
            }
        });
        for (StateMap.Entry<K, S> e : idle) {
            state.reset(e.state(), true);
            mapped.add(function.call(e.key(), Optional.empty(), state));
            map.remove(e.key(), batchMillis);
        }
    }
}
