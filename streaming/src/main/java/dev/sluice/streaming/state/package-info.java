/**
 * The per-key state behind {@link dev.sluice.streaming.PairDStream#updateStateByKey} and
 * {@link dev.sluice.streaming.PairDStream#mapWithState}: the state streams that carry a keyed
 * state dataset from batch to batch (read narrowly, shuffling only the new batch to the state's
 * partitioner), the per-partition {@link dev.sluice.streaming.state.StateMap} of mapWithState
 * with its delta chains and compaction, and the {@link dev.sluice.streaming.State} handed to the
 * user's mapping function.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.state;
