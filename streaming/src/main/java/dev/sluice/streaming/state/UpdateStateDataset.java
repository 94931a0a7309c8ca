package dev.sluice.streaming.state;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.spi.NarrowDataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.function.UpdateStateFunction;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One batch of updateStateByKey: calls the update function for each key of the grouped previous
 * state and new values (one narrow parent, partitioned by the state's partitioner), keeping the
 * keys whose new state is present.
 */
final class UpdateStateDataset<K, V, S> extends NarrowDataset<Pair<K, S>> {
    private volatile Dataset<Pair<K, Pair<List<S>, List<V>>>> grouped;
    private final Partitioner partitioner;
    private final UpdateStateFunction<V, S> function;

    UpdateStateDataset(Dataset<Pair<K, Pair<List<S>, List<V>>>> grouped, Partitioner partitioner,
                       UpdateStateFunction<V, S> function) {
        super(grouped.engine(), "updateStateByKey");
        this.grouped = grouped;
        this.partitioner = partitioner;
        this.function = function;
    }

    @Override
    protected List<Partition> computePartitions() {
        return grouped.partitions();
    }

    @Override
    protected List<Dataset<?>> narrowParents() {
        return List.of(grouped);
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.of(partitioner);
    }

    /** Drops the co-group of the previous state and the batch once this state is checkpointed. */
    @Override
    protected void releaseParents() {
        grouped = null;
    }

    @Override
    protected Iterator<Pair<K, S>> compute(Partition partition, TaskContext context) {
        Dataset<Pair<K, Pair<List<S>, List<V>>>> in = grouped;
        Iterator<Pair<K, Pair<List<S>, List<V>>>> groups = read(in, partition.index(), context);
        return flatMapGroups(groups);
    }

    /** The kept keys' new states, one group at a time (lazily, like the fused narrow operators). */
    private Iterator<Pair<K, S>> flatMapGroups(Iterator<Pair<K, Pair<List<S>, List<V>>>> groups) {
        return new Iterator<>() {
            private Iterator<Pair<K, S>> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && groups.hasNext()) {
                    Pair<K, Pair<List<S>, List<V>>> g = groups.next();
                    current = update(g.key(), g.value().value(), g.value().key()).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Pair<K, S> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    private List<Pair<K, S>> update(K key, List<V> values, List<S> state) {
        Optional<S> next;
        try {
            next = function.call(values, state.isEmpty() ? Optional.empty() : Optional.of(state.get(0)));
        } catch (Exception e) {
            throw UserExceptions.wrap(e);
        }
        if (next == null) {
            throw new NullPointerException("the updateStateByKey function returned null for key " + key
                    + "; return Optional.empty() to remove a key");
        }
        return next.isPresent() ? List.of(Pair.of(key, next.get())) : List.of();
    }
}
