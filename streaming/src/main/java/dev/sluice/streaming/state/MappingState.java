package dev.sluice.streaming.state;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.State;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The {@link State} handed to a mapWithState function: one instance per partition task, reset
 * for each call, so a call allocates nothing. After the call the task reads what the function
 * did ({@link #isUpdated}, {@link #isRemoved}).
 *
 * <p>Threading: confined to the task's thread.
 */
final class MappingState<S> implements State<S> {
    private S state;
    private boolean exists;
    private boolean updated;
    private boolean removed;
    private boolean timingOut;

    /** Prepares for a call on a key whose state is {@code current} ({@code null}: none). */
    void reset(S current, boolean isTimingOut) {
        state = current;
        exists = current != null;
        updated = false;
        removed = false;
        timingOut = isTimingOut;
    }

    @Override
    public boolean exists() {
        return exists;
    }

    @Override
    public S get() {
        if (!exists) {
            throw new NoSuchElementException("this key has no state" + (removed ? " (it was removed in this call)" : "")
                    + "; check exists() first or use toOptional() (getOption() before it was renamed)");
        }
        return state;
    }

    @Override
    public Optional<S> toOptional() {
        return exists ? Optional.of(state) : Optional.empty();
    }

    @Override
    public void update(S newState) {
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
    public void remove() {
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
    public boolean isTimingOut() {
        return timingOut;
    }

    boolean isUpdated() {
        return updated;
    }

    boolean isRemoved() {
        return removed;
    }

    @Override
    public String toString() {
        return exists ? "State(" + state + ")" : "State(none)";
    }
}
