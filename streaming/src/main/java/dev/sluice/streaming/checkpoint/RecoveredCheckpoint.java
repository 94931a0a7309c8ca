package dev.sluice.streaming.checkpoint;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * The checkpoint recovery picked, the file it came from, and the newer files it skipped with
 * the reason each was unusable.
 */
public record RecoveredCheckpoint(MetadataCheckpoint checkpoint, String path, List<String> skipped) {

    public RecoveredCheckpoint {
        checkNotNull(checkpoint, "checkpoint");
        checkNotNull(path, "path");
        skipped = List.copyOf(skipped);
    }

    /** Returns a one-line account: which file, and what was skipped. */
    public String describe() {
        String base = "metadata checkpoint " + path + " (batch " + checkpoint.checkpointTime() + ")";
        return skipped.isEmpty() ? base : base + ", after skipping newer unusable files: " + String.join("; ", skipped);
    }
}
