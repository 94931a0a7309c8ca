/**
 * Turns ticks into jobs: the generator thread that waits on the clock and builds each batch's
 * jobs, the job scheduler that runs batches one after another, the listener bus, and the
 * per-context runtime that owns them.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.scheduler;
