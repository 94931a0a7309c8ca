package dev.sluice.streaming.statestore;

/**
 * A stateful stream whose state checkpoints go through the state checkpoint store (asynchronous,
 * incremental where its codec allows) instead of a dataset checkpoint.
 *
 * @param <T> the record type of the stream's datasets
 */
public interface AsyncCheckpointed<T> {
    /** Returns how a partition of this stream's state datasets is written and rebuilt. */
    StateCodec<T> stateCodec();
}
