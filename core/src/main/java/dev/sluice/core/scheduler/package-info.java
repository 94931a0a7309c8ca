/**
 * The physical side of the engine: the DAG scheduler that turns a job on a node into stages
 * ({@link dev.sluice.core.scheduler.ShuffleMapStage}, {@link dev.sluice.core.scheduler.ResultStage})
 * and tasks ({@link dev.sluice.core.scheduler.Task}), runs them on an
 * {@link dev.sluice.core.scheduler.ExecutorBackend} with retries and registers their map outputs;
 * the local thread-pool backend; the checkpoint-completion protocol; and the engine runtime that
 * wires the block store, shuffle registry, serializer and checkpoint files of one engine.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.scheduler;
