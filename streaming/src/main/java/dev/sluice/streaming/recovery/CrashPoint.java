package dev.sluice.streaming.recovery;

/**
 * A named moment of the engine's durability protocol at which the crash tests stop a child JVM
 * (see {@link CrashPoints}): each is a moment where a crash leaves the checkpoint directory half
 * way through a write or between two writes that recovery must reconcile.
 */
public enum CrashPoint {
    /** A receiver's records are in the write-ahead log, but no batch was allocated them yet. */
    AFTER_WAL_APPEND_BEFORE_ALLOCATION,
    /** A state checkpoint is being written: some of its files exist, it is not complete. */
    DURING_STATE_CHECKPOINT_WRITE,
    /** A batch's state was computed, its output operations have not run. */
    AFTER_BATCH_STATE_BEFORE_OUTPUT,
    /** The metadata checkpoint of a batch is being written (its temporary file exists, not renamed yet). */
    DURING_METADATA_CHECKPOINT_WRITE,
    /** An output's side effects are done, the output commit log does not record the batch yet. */
    AFTER_OUTPUT_BEFORE_COMMIT
}
