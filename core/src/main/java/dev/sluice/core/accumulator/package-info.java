/**
 * Accumulator bookkeeping behind {@code dev.sluice.core.Accumulator}: the driver-side cell of each
 * accumulator (its value, and for a named one the updates since listeners last read them), the
 * attempt-local copies a task adds into, and the engine's registry of named accumulators. A task
 * attempt's copies are merged into the cells only when the scheduler sees the attempt succeed.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.accumulator;
