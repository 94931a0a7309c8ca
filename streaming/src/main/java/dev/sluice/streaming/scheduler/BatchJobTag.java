package dev.sluice.streaming.scheduler;

/**
 * The tag of the engine jobs a batch runs (see {@code EngineServices.setJobTag}), so the stages
 * of a job can be told apart by batch and output operation.
 *
 * @param batchTime   the batch time, clock milliseconds
 * @param outputIndex the output operation's position among the batch's jobs, from 0; -1 for a job
 *                    that ran while the batch's datasets were built (a {@code transform} calling an action)
 * @param output      the output operation's description
 */
public record BatchJobTag(long batchTime, int outputIndex, String output) {
}
