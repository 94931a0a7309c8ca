package dev.sluice.core.accumulator;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The accumulator updates of one task attempt: one attempt-local partial value per accumulator
 * the attempt added to. The attempt's thread owns it between {@link #begin()} and {@link #end()};
 * the scheduler merges it into the accumulators with {@link #mergeIntoAccumulators()} only if the
 * attempt succeeded, so a failed attempt's updates are dropped and its retry counts once.
 *
 * <p>Threading: confined to the attempt's thread until {@link #end()}; after that only the
 * scheduler reads it, once.
 */
public final class TaskUpdates {
    private static final ThreadLocal<TaskUpdates> CURRENT = new ThreadLocal<>();

    /** Made on the first add: most tasks add to no accumulator, and this is allocated per task attempt. */
    private Map<AccumulatorCell<?, ?>, Object> partials;

    private TaskUpdates() {
    }

    /** Starts collecting the updates of the task attempt running on this thread. */
    public static TaskUpdates begin() {
        TaskUpdates updates = new TaskUpdates();
        CURRENT.set(updates);
        return updates;
    }

    /** Stops collecting on this thread. */
    public void end() {
        CURRENT.remove();
    }

    static TaskUpdates current() {
        return CURRENT.get();
    }

    @SuppressWarnings("unchecked")
    <IN, A> void add(AccumulatorCell<IN, A> cell, IN in) {
        if (partials == null) {
            partials = new IdentityHashMap<>(4);
        }
        A partial = (A) partials.get(cell);
        if (partial == null && !partials.containsKey(cell)) {
            partial = cell.zero();
        }
        partials.put(cell, cell.addTo(partial, in));
    }

    /** Returns true if the attempt added to no accumulator. */
    public boolean isEmpty() {
        return partials == null || partials.isEmpty();
    }

    /** Merges every partial value into its accumulator: called once, when the attempt succeeded. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void mergeIntoAccumulators() {
        if (partials == null) {
            return;
        }
        for (Map.Entry<AccumulatorCell<?, ?>, Object> e : partials.entrySet()) {
            ((AccumulatorCell) e.getKey()).mergeIn(e.getValue());
        }
    }
}
