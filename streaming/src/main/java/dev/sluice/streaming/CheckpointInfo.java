package dev.sluice.streaming;

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
 */
public record CheckpointInfo(Kind kind, String uid, Time batchTime, long bytes, int files, long keys,
                             Duration duration, Optional<Throwable> error) {

    /** What a checkpoint write wrote. */
    public enum Kind {
        /** The metadata checkpoint of a batch (what ran, what each batch was given, where state lives). */
        METADATA,
        /** A full copy of an operator's state. */
        STATE_BASE,
        /** The changes to an operator's state since its previous state checkpoint. */
        STATE_DELTA
    }

    /** Whether the write succeeded. */
    public boolean succeeded() {
        return error.isEmpty();
    }
}
