package dev.sluice.core.scheduler;

import java.util.List;

/**
 * What one stage of a job run did, reported to {@link StageListener#onStageCompleted}.
 *
 * @param jobId          the job's id, unique within the engine
 * @param jobTag         what the thread that ran the job had set with {@link DagScheduler#setJobTag}, or null
 * @param stageId        the stage's id, unique within the engine
 * @param shuffleMap     true for a stage that writes a shuffle, false for the job's result stage
 * @param parentStageIds the map stages this stage read the shuffles of, that ran in this job run
 * @param datasetIds     the datasets the stage's tasks compute: its node, then what it reads through
 *                       narrow dependencies up to a shuffle, a cached or a checkpointed dataset
 * @param datasetNames   their names, in the same order
 * @param tasks          the partitions the stage computed
 * @param attempts       task attempts started (more than {@code tasks} when some were retried)
 * @param failedAttempts task attempts that failed (their retries are counted in {@code attempts})
 * @param startNanos     {@link System#nanoTime()} when its tasks were submitted
 * @param durationNanos  from then until its last task ended
 * @param shuffleRecords records a shuffle-map stage wrote (after map-side combine), -1 for a result stage
 * @param succeeded      false if a task failed on every attempt, or the job failed before it ended
 */
public record StageRun(int jobId, Object jobTag, int stageId, boolean shuffleMap, List<Integer> parentStageIds,
                       List<Integer> datasetIds, List<String> datasetNames, int tasks, int attempts,
                       int failedAttempts, long startNanos, long durationNanos, long shuffleRecords,
                       boolean succeeded) {
    public StageRun {
        parentStageIds = List.copyOf(parentStageIds);
        datasetIds = List.copyOf(datasetIds);
        datasetNames = List.copyOf(datasetNames);
    }
}
