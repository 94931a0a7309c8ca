package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Which batch an output operation is writing, for sinks that write idempotently or
 * transactionally (store {@link #batchId()} with the data, skip ids already applied).
 *
 * @param time      the batch time
 * @param replay    true if a previous run of the program may have begun writing this batch and
 *                  crashed before completing it (the first batch after the recovered checkpoint's
 *                  last completed one, and any later one an output's commit log records), so this
 *                  output may have written some or all of it before; false otherwise
 * @param outputUid the stable uid of the output operation (given with {@code uid(...)} or derived
 *                  from its position among the outputs)
 */
public record OutputBatch(Time time, boolean replay, String outputUid) {

    /** Checks the fields. */
    public OutputBatch {
        checkNotNull(time, "time");
        checkNotNull(outputUid, "outputUid");
    }

    /** Returns the batch id: the batch time in milliseconds, the same for this batch across restarts and upgrades. */
    public long batchId() {
        return time.millis();
    }
}
