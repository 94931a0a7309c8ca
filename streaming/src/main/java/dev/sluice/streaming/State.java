package dev.sluice.streaming;

import java.util.Optional;

/**
 * The state of one key, as {@code mapWithState} hands it to the mapping function: read it,
 * replace it or remove it. Changes take effect when the function returns.
 *
 * <pre>{@code
 * StateSpec.function((String word, Optional<Integer> one, State<Long> state) -> {
 *     long total = state.toOptional().orElse(0L) + one.orElse(0);
 *     state.update(total);
 *     return Pair.of(word, total);
 * });
 * }</pre>
 *
 * <p>Not thread-safe: valid only inside the call it was passed to.
 *
 * @param <S> the state type
 */
public interface State<S> {

    /** Returns true if the key has state. */
    boolean exists();

    /**
     * Returns the key's state.
     *
     * @throws java.util.NoSuchElementException if the key has no state; check {@link #exists()}
     *                                          or use {@link #toOptional()}
     */
    S get();

    /** Returns the key's state, or empty if it has none. */
    Optional<S> toOptional();

    /**
     * Returns the key's state, or empty if it has none.
     *
     * @deprecated use {@link #toOptional()}: accessors have no {@code get} prefix
     */
    @Deprecated
    default Optional<S> getOption() {
        return toOptional();
    }

    /**
     * Replaces the key's state with {@code newState}.
     *
     * @throws NullPointerException  if {@code newState} is null; use {@link #remove()}
     * @throws IllegalStateException if the key is timing out or its state was removed in this call
     */
    void update(S newState);

    /**
     * Removes the key's state.
     *
     * @throws IllegalStateException if the key is timing out (it is removed anyway) or its state
     *                               was already removed in this call
     */
    void remove();

    /** Returns true if this call is the key's timeout call: it has been idle longer than the timeout. */
    boolean isTimingOut();
}
