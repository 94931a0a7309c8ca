package dev.sluice.streaming.state;

import dev.sluice.streaming.statestore.StateCodec;
import java.util.List;

/**
 * The incremental codec of mapWithState: a partition (one {@link StateRecord}) is checkpointed
 * as its {@link StateMap} chain's changes since the previous checkpoint, and rebuilt as a single
 * root level loaded directly ({@link StateMap.Loader}), with no outputs.
 */
public final class StateMapCodec<K, S, R> implements StateCodec<StateRecord<K, S, R>> {

    @Override
    public boolean incremental() {
        return true;
    }

    @Override
    public KeyedState keyedState(List<StateRecord<K, S, R>> partition) {
        StateMap<K, S> map = partition.get(0).state();
        return new KeyedState() {
            @Override
            public long size() {
                return map.size();
            }

            @Override
            public void forEachEntry(EntryVisitor visitor) {
                map.forEachLive(visitor::visit);
            }

            @Override
            public boolean hasChangesSince(long since) {
                return map.hasChangesSince(since);
            }

            @Override
            public void forEachChangeSince(long since, EntryVisitor visitor) {
                map.forEachChangeSince(since, visitor::visit);
            }
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public Loader<StateRecord<K, S, R>> loader(long expectedEntries) {
        StateMap.Loader<K, S> loader = new StateMap.Loader<>(expectedEntries);
        return new Loader<>() {
            @Override
            public void add(Object key, Object state, long time) {
                loader.add((K) key, (S) state, time);
            }

            @Override
            public void apply(Object key, Object state, long time) {
                loader.apply((K) key, (S) state, time);
            }

            @Override
            public List<StateRecord<K, S, R>> build() {
                return List.of(new StateRecord<>(loader.build(), List.of()));
            }
        };
    }
}
