package dev.sluice.core;

import dev.sluice.core.accumulator.AccumulatorCell;

/**
 * An accumulator of a {@code double} sum ({@link Engine#doubleAccumulator}); see {@link
 * Accumulator} for when updates count. The sum of several tasks' updates is added in the order
 * they finish, so its last bits may vary from run to run.
 */
public final class DoubleAccumulator extends Accumulator<Double, Double> {

    DoubleAccumulator(AccumulatorCell<Double, Double> cell) {
        super(cell);
    }

    /** Adds {@code value} to the sum. */
    public void add(double value) {
        add(Double.valueOf(value));
    }

    /** Returns the sum. */
    public double sum() {
        return value();
    }
}
