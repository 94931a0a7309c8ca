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
        this(datasetName, datasetId, partition, attempts, cause, null);
    }

    /**
     * Creates the exception for a task of {@code datasetId} at {@code partition} whose user
     * function failed on {@code record} (its text, cut to 200 characters; null if unknown).
     */
    public JobFailedException(String datasetName, int datasetId, int partition, int attempts, Throwable cause,
                              String record) {
        super(String.format("job failed: task for partition %d of dataset %s (id %d) failed %d time(s)%s; last failure: %s",
                partition, datasetName, datasetId, attempts, record == null ? "" : " on record '" + record + "'",
                cause), cause);
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
