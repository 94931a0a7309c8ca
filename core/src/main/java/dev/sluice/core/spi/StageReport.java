package dev.sluice.core.spi;

import java.time.Duration;
import java.util.List;

/**
 * What one stage of a job did, for the stream engine's diagnostics (see
 * {@link EngineServices#observeStages}).
 *
 * @param jobId          the job's id, unique within the engine
 * @param jobTag         the tag the thread that ran the job set with {@link EngineServices#setJobTag}, or null
 * @param stageId        the stage's id, unique within the engine
 * @param shuffleMap     true for a stage that writes a shuffle, false for the job's result stage
 * @param parentStageIds the stages of this job run whose shuffle output this stage read
 * @param datasetIds     the datasets its tasks computed: its own, then those it read through narrow
 *                       dependencies up to a shuffle, a cached or a checkpointed dataset
 * @param datasetNames   their names, in the same order
 * @param tasks          partitions computed
 * @param attempts       task attempts started (retries included)
 * @param failedAttempts task attempts that failed
 * @param duration       from the submission of its tasks to the end of the last one
 * @param shuffleRecords records a shuffle-map stage wrote (after map-side combine); -1 for a result
 *                       stage. Bytes are not known: the local shuffle keeps objects, not bytes
 * @param succeeded      false if a task failed on every attempt or the job failed first
 */
public record StageReport(int jobId, Object jobTag, int stageId, boolean shuffleMap, List<Integer> parentStageIds,
                          List<Integer> datasetIds, List<String> datasetNames, int tasks, int attempts,
                          int failedAttempts, Duration duration, long shuffleRecords, boolean succeeded) {
    public StageReport {
        parentStageIds = List.copyOf(parentStageIds);
        datasetIds = List.copyOf(datasetIds);
        datasetNames = List.copyOf(datasetNames);
    }
}
