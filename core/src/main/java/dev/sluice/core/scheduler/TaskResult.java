package dev.sluice.core.scheduler;

import dev.sluice.core.accumulator.TaskUpdates;

/**
 * What a succeeded task attempt returns to the scheduler: the stage's value (a result or a map
 * output) and the accumulator updates the attempt made, which the scheduler merges into the
 * accumulators only now that the attempt has succeeded.
 *
 * @param value the stage's value
 * @param updates the attempt's accumulator updates
 */
record TaskResult(Object value, TaskUpdates updates) {
}
