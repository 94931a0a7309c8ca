/**
 * Runs jobs: the DAG scheduler that cuts a job into stages at shuffle boundaries and runs their
 * tasks on the engine's worker pool with retries, the task context, and the engine runtime that
 * owns the block store, shuffle manager, serializer and checkpoint files of one engine.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.scheduler;
