package dev.sluice.core;

/**
 * A job failed because one of its tasks failed on every attempt. The cause is the exception of
 * the last attempt, usually the user's own.
 */
public final class JobFailedException extends SluiceException {
    private final int datasetId;
    private final int partition;
    private final int attempts;

    /** Creates the exception for a task of {@code datasetId} at {@code partition}. */
    public JobFailedException(String datasetName, int datasetId, int partition, int attempts, Throwable cause) {
        super(String.format("job failed: task for partition %d of dataset %s (id %d) failed %d time(s); last failure: %s",
                partition, datasetName, datasetId, attempts, cause), cause);
        this.datasetId = datasetId;
        this.partition = partition;
        this.attempts = attempts;
    }

    /** Returns the id of the dataset whose task failed. */
    public int datasetId() {
        return datasetId;
    }

    /** Returns the partition whose task failed. */
    public int partition() {
        return partition;
    }

    /** Returns how many attempts were made. */
    public int attempts() {
        return attempts;
    }
}
