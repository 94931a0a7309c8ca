package dev.sluice.streaming;

/**
 * Receives the lifecycle events of a {@link StreamingContext}. Every method has an empty default,
 * so implement only what you need. Called on engine threads: return quickly. An exception thrown
 * here is logged and otherwise ignored; it never stops the stream.
 */
public interface StreamingListener {

    /** The context started; {@code startMillis} is the clock time of the zero batch. */
    default void onStreamingStarted(long startMillis) {
    }

    /** The context stopped. */
    default void onStreamingStopped() {
    }

    /** A batch was generated and queued. */
    default void onBatchSubmitted(Time batchTime, long numInputRecords) {
    }

    /** The first job of a batch started. */
    default void onBatchStarted(Time batchTime) {
    }

    /**
     * Named accumulators ({@code Engine.longAccumulator(name)} and the like) were updated while
     * batch {@code batchTime} ran: {@code updates} maps each updated one's name to the merged
     * updates of the task attempts that succeeded since the previous batch completed (for a sum,
     * the amount added). Called just before {@link #onBatchCompleted}, only if there were updates.
     */
    default void onAccumulatorsUpdated(Time batchTime, java.util.Map<String, Object> updates) {
    }

    /**
     * Under {@link BadRecordPolicy#SKIP}, a record whose function threw was skipped; called once
     * per such record (of task attempts that succeeded) after its batch's jobs ran, before
     * {@link #onBatchCompleted}.
     */
    default void onRecordFailed(FailedRecord<?> failed) {
    }

    /** Every job of a batch ended (see {@link BatchInfo#succeeded()}). */
    default void onBatchCompleted(BatchInfo info) {
    }

    /** A receiver reported an error. */
    default void onReceiverError(ReceiverError error) {
    }

    /**
     * A file stream found a file that changed after it was read (called on the generator thread),
     * or that vanished before it was read (called on the worker thread of the task that tried).
     */
    default void onInputFileProblem(InputFileProblem problem) {
    }

    /**
     * A checkpoint write ended (see {@link CheckpointInfo#succeeded()}). State checkpoints may be
     * written asynchronously, so this may come after later batches completed. Called on the
     * thread that wrote the checkpoint.
     */
    default void onCheckpointWritten(CheckpointInfo info) {
    }
}
