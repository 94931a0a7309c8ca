package dev.sluice.streaming.scheduler;

import dev.sluice.streaming.dstream.DStreamGraph;

/**
 * The tag of the engine jobs a batch runs (see {@code EngineServices.setJobTag}), so the stages
 * of a job can be told apart by context, batch and output operation.
 *
 * @param graph       the graph of the context that ran the job (several contexts may share an engine)
 * @param batchTime   the batch time, clock milliseconds
 * @param outputIndex the output operation's position among the batch's jobs, from 0; -1 for a job
 *                    that ran while the batch's datasets were built (a {@code transform} calling an action)
 * @param output      the output operation's description
 */
public record BatchJobTag(DStreamGraph graph, long batchTime, int outputIndex, String output) {
}
