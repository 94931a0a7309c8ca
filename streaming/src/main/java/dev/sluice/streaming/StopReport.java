package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * What a {@link StreamingContext#stop(boolean)} did: whether it was graceful, whether its drain
 * ran out of the stop timeout, and which queued batches it dropped without running them (with
 * their input record counts). A graceful stop that finished in time dropped nothing.
 *
 * @param graceful        whether the stop was graceful
 * @param timedOut        whether the drain ran past the stop timeout (graceful stops only)
 * @param droppedBatches  the times (ms) of the batches queued but never run, in order
 * @param droppedRecords  the input records of those batches
 */
public record StopReport(boolean graceful, boolean timedOut, List<Long> droppedBatches, long droppedRecords) {
    public StopReport {
        droppedBatches = List.copyOf(droppedBatches);
        checkArgument(droppedRecords >= 0, "droppedRecords must be >= 0, got %s", droppedRecords);
    }

    /** Returns true if no batch was dropped. */
    public boolean isLossless() {
        return droppedBatches.isEmpty() && !timedOut;
    }
}
