package dev.sluice.streaming.function;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Computes a key's new state from its values of one batch and its previous state, for
 * {@code PairDStream.updateStateByKey}.
 *
 * <p>Called once per batch for every key that has new values or state, on the engine's worker
 * threads; {@code newValues} is empty when the key had no values in the batch, and {@code state}
 * is empty when the key had no state. Returning {@link Optional#empty()} removes the key. What
 * it throws fails the batch.
 *
 * @param <V> the value type
 * @param <S> the state type
 */
@FunctionalInterface
public interface UpdateStateFunction<V, S> extends Serializable {

    /** Returns the key's new state, or empty to remove the key. */
    Optional<S> call(List<V> newValues, Optional<S> state) throws Exception;
}
