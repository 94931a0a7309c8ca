package dev.sluice.streaming.statestore;

import java.util.List;

/**
 * How a stateful stream's partition is checkpointed and rebuilt. An incremental codec exposes a
 * partition as a keyed state with update times ({@link KeyedState}), so a checkpoint can write
 * only what changed; a plain codec writes the partition's records, in full, every time.
 *
 * @param <T> the record type of the stream's datasets
 */
public interface StateCodec<T> {

    /** Returns true if partitions are written as base + deltas ({@link #keyedState}, {@link #loader}). */
    boolean incremental();

    /** Returns the keyed state of a partition's records (incremental codecs only). */
    KeyedState keyedState(List<T> partition);

    /** Returns a loader that rebuilds a partition from its entries (incremental codecs only). */
    Loader<T> loader(long expectedEntries);

    /** A finished, immutable keyed state: what one partition holds. */
    interface KeyedState {
        /** Returns the number of live keys. */
        long size();

        /** Visits every live key once. */
        void forEachEntry(EntryVisitor visitor);

        /** Returns true if {@link #forEachChangeSince} gives every change after {@code since}. */
        boolean hasChangesSince(long since);

        /** Visits each key changed after {@code since} once; a removal has a {@code null} state. */
        void forEachChangeSince(long since, EntryVisitor visitor);
    }

    /** Visits one key's state ({@code null}: removed) and time. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(Object key, Object state, long time);
    }

    /** Rebuilds one partition: a base's entries (distinct keys), then its deltas' changes in order. */
    interface Loader<T> {
        /** Adds one live entry of the base: its key was not added before. */
        void add(Object key, Object state, long time);

        /** Applies one change of a delta: sets the key's state and time, or removes it ({@code null} state). */
        void apply(Object key, Object state, long time);

        /** Returns the partition's records. */
        List<T> build();
    }

    /** The codec of streams whose partitions are plain records, written in full. */
    static <T> StateCodec<T> records() {
        return new StateCodec<>() {
            @Override
            public boolean incremental() {
                return false;
            }

            @Override
            public KeyedState keyedState(List<T> partition) {
                throw new UnsupportedOperationException("a records codec is not incremental");
            }

            @Override
            public Loader<T> loader(long expectedEntries) {
                throw new UnsupportedOperationException("a records codec is not incremental");
            }
        };
    }
}
