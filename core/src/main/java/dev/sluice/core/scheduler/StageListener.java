package dev.sluice.core.scheduler;

/**
 * Told when each stage of a job run starts and ends, for diagnostics such as the stream UI's
 * stages of a batch. Called on the thread that planned the job (start of a stage without parent
 * stages) or on a worker thread (everything else): return quickly and never block. Nothing is
 * reported per task or per record; a stage's figures are summed while its tasks run.
 */
public interface StageListener {

    /** Stage {@code stageId} of job {@code jobId}, tagged {@code jobTag}, is about to submit its tasks. */
    default void onStageStarted(int jobId, Object jobTag, int stageId) {
    }

    /** A stage ended, successfully or not. */
    void onStageCompleted(StageRun run);
}
