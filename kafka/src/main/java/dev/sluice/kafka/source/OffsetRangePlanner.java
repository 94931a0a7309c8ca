package dev.sluice.kafka.source;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.kafka.OffsetRange;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Chooses, at one batch tick, how far each partition reads: a pure function of where each partition
 * stands, where its log ends, and the limits. It talks to no broker ({@link OffsetTracker} does).
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li>A partition's lag is {@code latest - from} (never negative); it reads at most its lag.</li>
 *   <li>Rate: with {@code maxRatePerPartition} r &gt; 0 records/s, a partition reads at most
 *       {@code max(1, r * interval)} records per batch.</li>
 *   <li>Cold start: the first batch of a process reads at most
 *       {@code max(1, initialRatePerPartition * interval)} per partition (and never more than the
 *       rate limit), so a backlog is not swallowed in one batch before backpressure has a figure.</li>
 *   <li>Backpressure: a quota of Q records for the whole batch is split over partitions in
 *       proportion to their lag (largest-remainder rounding, so the shares add up to exactly
 *       {@code min(Q, total lag)}); a partition far behind gets more, so a skewed topic does not
 *       hide its lag behind the quiet partitions. Each partition then reads the smaller of its
 *       share and its rate cap.</li>
 * </ol>
 * The result has one range per partition of {@code from}, in topic-partition order, empty ranges
 * included (a batch's record of positions is complete).
 *
 * <p>Threading: immutable, thread-safe.
 */
public final class OffsetRangePlanner {

    static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final Duration batchInterval;
    private final long maxRatePerPartition;
    private final long initialRatePerPartition;

    /**
     * @param batchInterval the stream's batch interval
     * @param maxRatePerPartition records per second per partition, 0 for no limit
     * @param initialRatePerPartition records per second per partition for the first batch after a
     *     start, 0 for no cold-start limit
     */
    public OffsetRangePlanner(Duration batchInterval, long maxRatePerPartition, long initialRatePerPartition) {
        checkNotNull(batchInterval, "batchInterval");
        checkArgument(!batchInterval.isNegative() && !batchInterval.isZero(),
                "batchInterval must be > 0, got %s", batchInterval);
        checkArgument(maxRatePerPartition >= 0, "maxRatePerPartition must be >= 0 (0 = no limit), got %s",
                maxRatePerPartition);
        checkArgument(initialRatePerPartition >= 0,
                "initialRatePerPartition must be >= 0 (0 = no limit), got %s", initialRatePerPartition);
        this.batchInterval = batchInterval;
        this.maxRatePerPartition = maxRatePerPartition;
        this.initialRatePerPartition = initialRatePerPartition;
    }

    /**
     * The ranges of one batch.
     *
     * @param from the next offset to read of every partition the batch covers
     * @param latest the end offset of each of those partitions (a partition missing here reads nothing)
     * @param quota records the whole batch may read (backpressure), if known
     * @param firstBatch whether this is the first batch since the process started
     */
    public List<OffsetRange> plan(Map<TopicPartition, Long> from, Map<TopicPartition, Long> latest,
            OptionalLong quota, boolean firstBatch) {
        checkNotNull(from, "from");
        checkNotNull(latest, "latest");
        checkNotNull(quota, "quota");
        checkArgument(quota.isEmpty() || quota.getAsLong() >= 0, "quota must be >= 0, got %s", quota);
        List<TopicPartition> partitions = new ArrayList<>(from.keySet());
        partitions.sort(ORDER);
        long[] lag = new long[partitions.size()];
        for (int i = 0; i < lag.length; i++) {
            TopicPartition tp = partitions.get(i);
            lag[i] = Math.max(0, latest.getOrDefault(tp, from.get(tp)) - from.get(tp));
        }
        long[] take = quota.isPresent() ? proportionalShares(lag, quota.getAsLong()) : lag.clone();
        long cap = capPerPartition(firstBatch);
        List<OffsetRange> ranges = new ArrayList<>(lag.length);
        for (int i = 0; i < lag.length; i++) {
            long start = from.get(partitions.get(i));
            ranges.add(OffsetRange.of(partitions.get(i), start, start + Math.min(take[i], cap)));
        }
        return List.copyOf(ranges);
    }

    /** Records one partition may read this batch under the rate and cold-start limits. */
    long capPerPartition(boolean firstBatch) {
        long cap = Long.MAX_VALUE;
        if (maxRatePerPartition > 0) {
            cap = perBatch(maxRatePerPartition);
        }
        if (firstBatch && initialRatePerPartition > 0) {
            cap = Math.min(cap, perBatch(initialRatePerPartition));
        }
        return cap;
    }

    private long perBatch(long ratePerSecond) {
        BigInteger records = BigInteger.valueOf(ratePerSecond).multiply(BigInteger.valueOf(batchInterval.toMillis()))
                .divide(BigInteger.valueOf(1000));
        return Math.max(1, records.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue());
    }

    /**
     * Splits {@code quota} over the partitions in proportion to {@code lag}, never giving one more
     * than its lag; the shares add up to {@code min(quota, sum(lag))}.
     */
    static long[] proportionalShares(long[] lag, long quota) {
        BigInteger total = BigInteger.ZERO;
        for (long l : lag) {
            total = total.add(BigInteger.valueOf(l));
        }
        if (total.compareTo(BigInteger.valueOf(quota)) <= 0) {
            return lag.clone();
        }
        long[] share = new long[lag.length];
        BigInteger[] remainder = new BigInteger[lag.length];
        long given = 0;
        for (int i = 0; i < lag.length; i++) {
            BigInteger[] qr = BigInteger.valueOf(quota).multiply(BigInteger.valueOf(lag[i])).divideAndRemainder(total);
            share[i] = qr[0].longValueExact();
            remainder[i] = qr[1];
            given += share[i];
        }
        // Largest remainder first; ties go to the lower index, so the split is deterministic.
        Integer[] order = new Integer[lag.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> remainder[b].compareTo(remainder[a]));
        for (int k = 0; given < quota && k < order.length; k++) {
            int i = order[k];
            if (share[i] < lag[i]) {
                share[i]++;
                given++;
            }
        }
        return share;
    }
}
