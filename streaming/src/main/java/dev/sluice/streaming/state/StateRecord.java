package dev.sluice.streaming.state;

import java.util.List;

/**
 * The one record of a partition of a mapWithState state dataset: the partition's state after
 * the batch, and what the mapping function returned in the batch, in call order.
 *
 * @param state  the partition's state map
 * @param mapped the function's outputs of this batch
 */
public record StateRecord<K, S, R>(StateMap<K, S> state, List<R> mapped) {
}
