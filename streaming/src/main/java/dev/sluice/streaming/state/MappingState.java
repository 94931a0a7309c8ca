package dev.sluice.streaming.state;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.State;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The {@link State} handed to a mapWithState function: two instances per partition task, one for
 * calls on keys that have state ({@link Present}) and one for keys that have none
 * ({@link Absent}), each reset for each call, so a call allocates nothing. After the call the
 * task reads what the function did ({@link #isUpdated}, {@link #isRemoved}).
 *
 * <h2>Why two classes with the same {@code toOptional}</h2>
 *
 * <p>{@code state.toOptional()} is what most functions call first ({@code
 * state.toOptional().orElse(0)}). Its {@code exists ? Optional.of(s) : Optional.empty()} merges a
 * new object with a shared constant, which JDK 17's escape analysis cannot remove: one
 * {@code Optional} per record (10–12% of W3mapws' bytes, all of it garbage at once). Each subclass
 * has its own copy of the method, so its own branch profile: the task calls the function from
 * one call site per subclass, the argument's exact class lets C2 bind {@code toOptional} to that
 * copy, and in {@link Present}'s copy the empty branch is never taken, so C2 compiles only
 * {@code Optional.of(s)} and, once the user's function is inlined, removes it (scalar
 * replacement). A function that removes the state and then asks again takes the other branch; C2
 * then recompiles with both, which is only slower, never different.
 *
 * <p>Threading: confined to the task's thread.
 */
abstract class MappingState<S> implements State<S> {
    S state;
    boolean exists;
    private boolean updated;
    private boolean removed;
    private boolean timingOut;

    /** Prepares for a call on a key whose state is {@code current} ({@code null}: none). */
    final void reset(S current, boolean isTimingOut) {
        state = current;
        exists = current != null;
        updated = false;
        removed = false;
        timingOut = isTimingOut;
    }

    @Override
    public final boolean exists() {
        return exists;
    }

    @Override
    public final S get() {
        if (!exists) {
            throw new NoSuchElementException("this key has no state" + (removed ? " (it was removed in this call)" : "")
                    + "; check exists() first or use toOptional() (getOption() before it was renamed)");
        }
        return state;
    }

    /** Returns the state for a call on a key that has state (or a timing-out key). */
    static <S> Present<S> present() {
        return new Present<>();
    }

    /** Returns the state for a call on a key that has none. */
    static <S> Absent<S> absent() {
        return new Absent<>();
    }

    /** For calls on keys that have state when the call begins (see the class comment). */
    static final class Present<S> extends MappingState<S> {
        @Override
        public Optional<S> toOptional() {
            return exists ? Optional.of(state) : Optional.empty();
        }
    }

    /** For calls on keys that have no state when the call begins (see the class comment). */
    static final class Absent<S> extends MappingState<S> {
        @Override
        public Optional<S> toOptional() {
            return exists ? Optional.of(state) : Optional.empty();
        }
    }

    @Override
    public final void update(S newState) {
        checkNotNull(newState, "newState must not be null; call remove() to remove the key's state");
        if (timingOut) {
            throw new IllegalStateException("cannot update the state of a key that is timing out: it has been idle "
                    + "longer than the timeout and is removed after this call");
        }
        if (removed) {
            throw new IllegalStateException("cannot update a state that was removed earlier in this call");
        }
        state = newState;
        exists = true;
        updated = true;
    }

    @Override
    public final void remove() {
        if (timingOut) {
            throw new IllegalStateException("cannot remove the state of a key that is timing out: it is removed "
                    + "after this call anyway");
        }
        if (removed) {
            throw new IllegalStateException("cannot remove a state twice: it was already removed in this call");
        }
        state = null;
        exists = false;
        updated = false;
        removed = true;
    }

    @Override
    public final boolean isTimingOut() {
        return timingOut;
    }

    final boolean isUpdated() {
        return updated;
    }

    final boolean isRemoved() {
        return removed;
    }

    @Override
    public final String toString() {
        return exists ? "State(" + state + ")" : "State(none)";
    }
}
