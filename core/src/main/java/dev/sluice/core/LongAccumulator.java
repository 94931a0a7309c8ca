package dev.sluice.core;

import dev.sluice.core.accumulator.AccumulatorCell;

/**
 * An accumulator of a {@code long} sum ({@link Engine#longAccumulator}); see {@link Accumulator}
 * for when updates count.
 */
public final class LongAccumulator extends Accumulator<Long, Long> {

    LongAccumulator(AccumulatorCell<Long, Long> cell) {
        super(cell);
    }

    /** Adds {@code value} to the sum. */
    public void add(long value) {
        add(Long.valueOf(value));
    }

    /** Returns the sum. */
    public long sum() {
        return value();
    }
}
