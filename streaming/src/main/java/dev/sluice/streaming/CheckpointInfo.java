package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.util.Optional;

/**
 * One checkpoint write, reported to {@link StreamingListener#onCheckpointWritten} when it ended
 * (successfully or not): a metadata checkpoint after a batch, or a state checkpoint of a stateful
 * or windowed operator (a full base or a delta of what changed since the previous one).
 *
 * @param kind       what was written
 * @param uid        the operator's uid for a state checkpoint; empty for a metadata checkpoint
 * @param batchTime  the batch whose state or metadata was written
 * @param bytes      bytes written to the file system (0 if the write failed before any)
 * @param files      files written
 * @param keys       records (state keys) written; 0 for a metadata checkpoint
 * @param duration   wall time from the start of the write to the files being durable (or failing)
 * @param error      why the write failed; empty when it succeeded
 * @param basePartitions the state partitions written as a full base by this checkpoint: all of
 *                   them for {@link Kind#STATE_BASE}, fewer for {@link Kind#STATE_DELTA}
 *                   (each partition rebases on its own); 0 for a metadata checkpoint and for
 *                   a failed write
 */
public record CheckpointInfo(Kind kind, String uid, Time batchTime, long bytes, int files, long keys,
                             Duration duration, Optional<Throwable> error, int basePartitions) {

    public CheckpointInfo {
        checkArgument(basePartitions >= 0, "basePartitions must be >= 0, got %s", basePartitions);
    }

    /**
     * Describes a checkpoint write without a count of rebased partitions: a successful
     * {@code STATE_BASE} counts every partition it wrote ({@code files - 1}, the manifest left
     * out), anything else none.
     */
    public CheckpointInfo(Kind kind, String uid, Time batchTime, long bytes, int files, long keys,
                          Duration duration, Optional<Throwable> error) {
        this(kind, uid, batchTime, bytes, files, keys, duration, error,
                kind == Kind.STATE_BASE && error.isEmpty() ? Math.max(0, files - 1) : 0);
    }

    /** What a checkpoint write wrote. */
    public enum Kind {
        /** The metadata checkpoint of a batch (what ran, what each batch was given, where state lives). */
        METADATA,
        /** A full copy of an operator's state: every partition written as a base. */
        STATE_BASE,
        /**
         * The changes to an operator's state since its previous state checkpoint: not every
         * partition was written as a base ({@link #basePartitions} were); the others got a delta
         * of their changes, or kept their files if nothing changed in them.
         */
        STATE_DELTA
    }

    /** Whether the write succeeded. */
    public boolean succeeded() {
        return error.isEmpty();
    }
}
