package dev.sluice.kafka;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How a Kafka direct stream reads: where it starts without a checkpoint, what it does when offsets
 * vanish, how fast it may read, how large one task's range may be, and who hears its lag. Immutable;
 * each {@code with} method returns a copy. Start from {@link #defaults()}.
 *
 * <pre>{@code
 * KafkaSourceOptions options = KafkaSourceOptions.defaults()
 *         .withStartingOffsets(StartingOffsets.latest())
 *         .withMaxRatePerPartition(50_000)
 *         .withOutOfRangePolicy(OutOfRangePolicy.RESET_TO_EARLIEST);
 * }</pre>
 *
 * @param startingOffsets where a stream without a checkpoint starts (a checkpoint's offsets always win)
 * @param outOfRangePolicy what happens when the next offset is no longer in the log
 * @param maxRatePerPartition records per second one partition may read, 0 for no limit
 * @param initialRatePerPartition records per second per partition of the first batch after a
 *     start or restart, so a backlog is not read in one batch, 0 for no cold-start limit; with
 *     backpressure on, the stream's quota then grows from there
 * @param maxRecordsPerTask split a partition's range into tasks of at most this many offsets, 0 to
 *     read each partition's range in one task
 * @param commitOffsets commit each completed batch's offsets to the consumer group {@code group.id}
 *     of the consumer properties (if set), for monitoring tools; the checkpoint stays the truth
 * @param lagSeconds measure seconds behind (one small fetch per lagging partition per batch), else
 *     report records behind only
 * @param lagListener told the lag after each planned batch, or null
 */
public record KafkaSourceOptions(StartingOffsets startingOffsets, OutOfRangePolicy outOfRangePolicy,
        long maxRatePerPartition, long initialRatePerPartition, long maxRecordsPerTask, boolean commitOffsets,
        boolean lagSeconds, KafkaLagListener lagListener) {

    /** The cold-start rate of {@link #defaults()}: records per second per partition of the first batch. */
    public static final long DEFAULT_INITIAL_RATE_PER_PARTITION = 100_000;

    /** Checks the figures. */
    public KafkaSourceOptions {
        checkNotNull(startingOffsets, "startingOffsets");
        checkNotNull(outOfRangePolicy, "outOfRangePolicy");
        checkArgument(maxRatePerPartition >= 0, "maxRatePerPartition must be >= 0 (0 = no limit), got %s",
                maxRatePerPartition);
        checkArgument(initialRatePerPartition >= 0, "initialRatePerPartition must be >= 0 (0 = no limit), got %s",
                initialRatePerPartition);
        checkArgument(maxRecordsPerTask >= 0, "maxRecordsPerTask must be >= 0 (0 = one task per partition), got %s",
                maxRecordsPerTask);
    }

    /**
     * Earliest offsets, fail on out-of-range offsets, no rate limit, a cold start of
     * {@value #DEFAULT_INITIAL_RATE_PER_PARTITION} records per second per partition, one task per
     * partition, offsets committed to the group, seconds behind measured, no lag listener.
     */
    public static KafkaSourceOptions defaults() {
        return new KafkaSourceOptions(StartingOffsets.earliest(), OutOfRangePolicy.FAIL, 0,
                DEFAULT_INITIAL_RATE_PER_PARTITION, 0, true, true, null);
    }

    /** Returns a copy starting at {@code start}. */
    public KafkaSourceOptions withStartingOffsets(StartingOffsets start) {
        return new KafkaSourceOptions(start, outOfRangePolicy, maxRatePerPartition, initialRatePerPartition,
                maxRecordsPerTask, commitOffsets, lagSeconds, lagListener);
    }

    /** Returns a copy with out-of-range policy {@code policy}. */
    public KafkaSourceOptions withOutOfRangePolicy(OutOfRangePolicy policy) {
        return new KafkaSourceOptions(startingOffsets, policy, maxRatePerPartition, initialRatePerPartition,
                maxRecordsPerTask, commitOffsets, lagSeconds, lagListener);
    }

    /** Returns a copy reading at most {@code recordsPerSecond} per partition (0: no limit). */
    public KafkaSourceOptions withMaxRatePerPartition(long recordsPerSecond) {
        return new KafkaSourceOptions(startingOffsets, outOfRangePolicy, recordsPerSecond, initialRatePerPartition,
                maxRecordsPerTask, commitOffsets, lagSeconds, lagListener);
    }

    /** Returns a copy whose first batch reads at most {@code recordsPerSecond} per partition (0: no limit). */
    public KafkaSourceOptions withInitialRatePerPartition(long recordsPerSecond) {
        return new KafkaSourceOptions(startingOffsets, outOfRangePolicy, maxRatePerPartition, recordsPerSecond,
                maxRecordsPerTask, commitOffsets, lagSeconds, lagListener);
    }

    /** Returns a copy splitting ranges into tasks of at most {@code offsets} offsets (0: no split). */
    public KafkaSourceOptions withMaxRecordsPerTask(long offsets) {
        return new KafkaSourceOptions(startingOffsets, outOfRangePolicy, maxRatePerPartition, initialRatePerPartition,
                offsets, commitOffsets, lagSeconds, lagListener);
    }

    /** Returns a copy that does or does not commit offsets to the consumer group. */
    public KafkaSourceOptions withCommitOffsets(boolean commit) {
        return new KafkaSourceOptions(startingOffsets, outOfRangePolicy, maxRatePerPartition, initialRatePerPartition,
                maxRecordsPerTask, commit, lagSeconds, lagListener);
    }

    /** Returns a copy that does or does not measure seconds behind. */
    public KafkaSourceOptions withLagSeconds(boolean measure) {
        return new KafkaSourceOptions(startingOffsets, outOfRangePolicy, maxRatePerPartition, initialRatePerPartition,
                maxRecordsPerTask, commitOffsets, measure, lagListener);
    }

    /** Returns a copy telling {@code listener} the lag after each batch. */
    public KafkaSourceOptions withLagListener(KafkaLagListener listener) {
        return new KafkaSourceOptions(startingOffsets, outOfRangePolicy, maxRatePerPartition, initialRatePerPartition,
                maxRecordsPerTask, commitOffsets, lagSeconds, checkNotNull(listener, "listener"));
    }
}
