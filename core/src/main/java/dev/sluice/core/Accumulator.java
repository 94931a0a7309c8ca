package dev.sluice.core;

import dev.sluice.core.accumulator.AccumulatorCell;
import java.util.Optional;

/**
 * A value that tasks add to and the driver reads: a counter, a sum, a list of samples, or any
 * type with a zero, an add and a merge ({@link Engine#accumulator}). Capture it in a function,
 * call {@link #add} in tasks, read {@link #value()} on the driver after the action.
 *
 * <pre>{@code
 * LongAccumulator blank = engine.longAccumulator("blank lines");
 * long words = lines.filter(l -> { if (l.isBlank()) { blank.add(1); } return !l.isBlank(); }).count();
 * long blanks = blank.value();
 * }</pre>
 *
 * <p><b>Counted once.</b> A task attempt adds into its own copy; the engine merges the copy into
 * the value only when the attempt succeeds, so the updates of a failed and retried task count
 * once, in every stage (not only in actions, as in Spark). A map task whose output was lost and
 * is recomputed counts once too. Work that is not a retry counts each time it is done: two
 * actions over one uncached dataset compute its functions, and their adds, twice; cache the
 * dataset to count once.
 *
 * <p>Thread-safety: {@link #add} may be called from any task and from the driver; {@link
 * #value()} returns the updates of the attempts that have succeeded so far.
 *
 * @param <IN> the type of what is added
 * @param <OUT> the type of the value
 */
public class Accumulator<IN, OUT> {
    private final AccumulatorCell<IN, OUT> cell;

    Accumulator(AccumulatorCell<IN, OUT> cell) {
        this.cell = cell;
    }

    /** Adds {@code value}: in a task, to the attempt's copy; on the driver, to the value at once. */
    public void add(IN value) {
        cell.add(value);
    }

    /** Returns the merged updates of every succeeded task attempt and of the driver. */
    public OUT value() {
        return cell.value();
    }

    /** Sets the value back to zero. */
    public void reset() {
        cell.reset();
    }

    /** Returns the id, unique within the engine. */
    public long id() {
        return cell.id();
    }

    /** Returns the name given at creation; a named accumulator's updates are reported per batch to streaming listeners. */
    public Optional<String> name() {
        return Optional.ofNullable(cell.name());
    }

    @Override
    public String toString() {
        return cell + " = " + value();
    }
}
