package dev.sluice.streaming.function;

import dev.sluice.streaming.State;
import java.io.Serializable;
import java.util.Optional;

/**
 * Maps one record of a keyed stream to an output, reading and changing its key's
 * {@link State}, for {@code PairDStream.mapWithState}.
 *
 * <p>Called once per record (in the record's order within its partition), on the engine's worker
 * threads, and once more with an empty value and {@code state.isTimingOut()} when the key has
 * been idle longer than the spec's timeout. What it throws fails the batch.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @param <S> the state type
 * @param <R> the output type
 */
@FunctionalInterface
public interface StateMappingFunction<K, V, S, R> extends Serializable {

    /** Returns the output for this record (or for this key's timeout). */
    R call(K key, Optional<V> value, State<S> state) throws Exception;
}
