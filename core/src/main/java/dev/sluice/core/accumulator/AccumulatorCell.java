package dev.sluice.core.accumulator;

import dev.sluice.core.failure.UserCodeException;
import dev.sluice.core.function.Function2;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.function.SupplierFunction;
import java.util.Optional;

/**
 * The driver side of one accumulator: its zero, add and merge functions, its value and, for a
 * named accumulator, the merged updates since {@link #drainDelta()} was last called.
 *
 * <p>An {@link #add} on a worker thread running a task attempt goes into that attempt's own copy
 * ({@link TaskUpdates}); the scheduler merges the copy in with {@link #mergeIn} once the attempt
 * has succeeded. An {@code add} anywhere else (the driver) is merged at once.
 *
 * <p>Threading: the value and the delta are guarded by this object's monitor. {@code add} may
 * modify and return its first argument (an attempt-local copy nobody else sees); {@code merge}
 * must not modify its arguments, because one partial value is merged into both the value and the
 * delta.
 *
 * @param <IN> the type of what tasks add
 * @param <A> the accumulated type
 */
public final class AccumulatorCell<IN, A> {
    private final long id;
    private final String name;
    private final SupplierFunction<A> zero;
    private final Function2<A, ? super IN, A> add;
    private final ReduceFunction<A> merge;
    private A value;
    private A delta;
    private boolean updated;

    /** Creates a cell whose value starts at {@code zero}; {@code name} is null for an unnamed one. */
    public AccumulatorCell(long id, String name, SupplierFunction<A> zero, Function2<A, ? super IN, A> add,
                           ReduceFunction<A> merge) {
        this.id = id;
        this.name = name;
        this.zero = zero;
        this.add = add;
        this.merge = merge;
        this.value = zero();
        this.delta = name == null ? null : zero();
    }

    /** Returns the id, unique within the engine. */
    public long id() {
        return id;
    }

    /** Returns the name, or null. */
    public String name() {
        return name;
    }

    /** Adds {@code in}: to the running task attempt's copy, or, outside a task, to the value. */
    public void add(IN in) {
        TaskUpdates updates = TaskUpdates.current();
        if (updates != null) {
            updates.add(this, in);
        } else {
            mergeIn(addTo(zero(), in));
        }
    }

    /** Returns the value: every update of succeeded task attempts and of the driver, merged. */
    public synchronized A value() {
        return value;
    }

    /** Sets the value back to zero (the delta is kept, so listeners still see what was added). */
    public synchronized void reset() {
        value = zero();
    }

    /** Returns the updates merged since the last call, if there were any, and forgets them. */
    public synchronized Optional<A> drainDelta() {
        if (!updated) {
            return Optional.empty();
        }
        A out = delta;
        delta = zero();
        updated = false;
        return Optional.of(out);
    }

    A zero() {
        try {
            return zero.get();
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
    }

    A addTo(A partial, IN in) {
        try {
            return add.call(partial, in);
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
    }

    /** Merges a partial value (a succeeded attempt's copy) into the value and the delta. */
    synchronized void mergeIn(A partial) {
        try {
            value = merge.call(value, partial);
            if (name != null) {
                delta = merge.call(delta, partial);
                updated = true;
            }
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
    }

    @Override
    public String toString() {
        return "accumulator " + id + (name == null ? "" : " '" + name + "'");
    }
}
