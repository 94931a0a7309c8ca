package dev.sluice.streaming.metrics;

import java.util.List;

/**
 * What the UI keeps of one stage of one of a batch's jobs: figures and at most
 * {@link #MAX_DATASETS} dataset names, never records.
 *
 * @param jobId          the engine's job id
 * @param outputIndex    the output operation that ran the job (its position in the batch, from 0);
 *                       -1 for a job run while the batch was built
 * @param output         the output operation's description
 * @param stageId        the engine's stage id
 * @param shuffleMap     true for a shuffle-map stage, false for a result stage
 * @param parentStageIds the stages of the same job whose shuffle output it read
 * @param operatorIds    the pipeline operators whose batch datasets the stage computed
 * @param datasetIds     the datasets it computed (at most {@link #MAX_DATASETS})
 * @param datasetNames   their names, in the same order
 * @param tasks          partitions computed
 * @param attempts       task attempts (retries included)
 * @param failedAttempts failed task attempts
 * @param durationMs     from the submission of its tasks to the end of the last one
 * @param shuffleRecords records a shuffle-map stage wrote, -1 for a result stage
 * @param succeeded      whether it succeeded
 */
public record StageRecord(int jobId, int outputIndex, String output, int stageId, boolean shuffleMap,
                          List<Integer> parentStageIds, List<Integer> operatorIds, List<Integer> datasetIds,
                          List<String> datasetNames, int tasks,
                          int attempts, int failedAttempts, double durationMs, long shuffleRecords,
                          boolean succeeded) {
    /** A stage keeps at most this many dataset names. */
    static final int MAX_DATASETS = 12;

    public StageRecord {
        parentStageIds = List.copyOf(parentStageIds);
        operatorIds = List.copyOf(operatorIds);
        datasetIds = List.copyOf(datasetIds);
        datasetNames = List.copyOf(datasetNames);
    }

    /** Returns the datasets as {@code name [id]}, for the page and the JSON. */
    public List<String> datasets() {
        List<String> out = new java.util.ArrayList<>(datasetIds.size());
        for (int i = 0; i < datasetIds.size(); i++) {
            out.add(datasetNames.get(i) + " [" + datasetIds.get(i) + "]");
        }
        return out;
    }

    /** Returns "shuffle-map" or "result". */
    public String kind() {
        return shuffleMap ? "shuffle-map" : "result";
    }
}
