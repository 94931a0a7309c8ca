package dev.sluice.kafka.source;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.kafka.KafkaOffsetsException;
import dev.sluice.kafka.LagReport;
import dev.sluice.kafka.OffsetRange;
import dev.sluice.kafka.OutOfRangePolicy;
import dev.sluice.kafka.StartingOffsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct source's driver-side state: the next offset to read of every partition of its
 * topics. At each batch tick {@link #nextBatch} asks the broker for the partitions and their
 * bounds, starts partitions it has not seen (from the starting offsets at the first batch, at their
 * earliest offset after that), checks every position against the bounds, plans the ranges and
 * advances past them. The ranges are what the batch reads and what the metadata checkpoint records;
 * {@link #restore} puts positions from a checkpoint back (they win over the starting offsets).
 *
 * <h2>Failure</h2>
 * A deleted topic fails the tick with a {@link KafkaOffsetsException} naming it. A position below
 * the earliest offset (retention) or above the end (topic recreated) fails with the topic,
 * partition and offsets named, or, under {@link OutOfRangePolicy#RESET_TO_EARLIEST}, logs a warning
 * and continues from the earliest offset. Nothing advances when a tick fails.
 *
 * <p>Threading: the methods are synchronized; in practice only the batch generator calls them.
 */
public final class OffsetTracker {

    private static final Logger log = LoggerFactory.getLogger(OffsetTracker.class);

    private final BrokerOffsets broker;
    private final List<String> topics;
    private final StartingOffsets start;
    private final OutOfRangePolicy outOfRange;
    private final OffsetRangePlanner planner;
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Map<TopicPartition, Long> latest = new HashMap<>();
    private boolean started;
    private boolean planned;

    /** A tracker of {@code topics} that starts at {@code start} unless {@link #restore restored}. */
    public OffsetTracker(BrokerOffsets broker, List<String> topics, StartingOffsets start,
            OutOfRangePolicy outOfRange, OffsetRangePlanner planner) {
        this.broker = checkNotNull(broker, "broker");
        checkArgument(!topics.isEmpty(), "a Kafka stream needs at least one topic");
        this.topics = List.copyOf(topics);
        this.start = checkNotNull(start, "start");
        this.outOfRange = checkNotNull(outOfRange, "outOfRange");
        this.planner = checkNotNull(planner, "planner");
    }

    /** Resumes from checkpointed positions; partitions not named start at their earliest offset. */
    public synchronized void restore(Map<TopicPartition, Long> checkpointed) {
        checkArgument(!planned, "restore must come before the first batch is planned");
        checkpointed.forEach((tp, offset) -> checkArgument(offset >= 0, "offset of %s must be >= 0, got %s", tp, offset));
        positions.putAll(checkpointed);
        started = true;
    }

    /** Plans the next batch's ranges (one per partition, empty ones included) and advances past them. */
    public synchronized List<OffsetRange> nextBatch(OptionalLong quota) {
        List<TopicPartition> partitions = broker.partitions(topics);
        Map<TopicPartition, Long> earliest = broker.earliest(partitions);
        Map<TopicPartition, Long> end = broker.latest(partitions);
        Map<TopicPartition, Long> from = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            long position = positions.containsKey(tp) ? positions.get(tp) : startOf(tp, earliest, end);
            from.put(tp, checkInRange(tp, position, earliest.get(tp), end.get(tp)));
        }
        List<OffsetRange> ranges = planner.plan(from, end, quota, !planned);
        ranges.forEach(r -> positions.put(r.topicPartition(), r.untilOffset()));
        latest.clear();
        latest.putAll(end);
        started = true;
        planned = true;
        return ranges;
    }

    private long startOf(TopicPartition tp, Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> end) {
        if (started) {
            log.info("Kafka partition {} is new; reading it from its earliest offset {}", tp, earliest.get(tp));
            return earliest.get(tp);
        }
        if (start instanceof StartingOffsets.Explicit explicit && explicit.offsets().containsKey(tp)) {
            return explicit.offsets().get(tp);
        }
        return start instanceof StartingOffsets.Latest ? end.get(tp) : earliest.get(tp);
    }

    private long checkInRange(TopicPartition tp, long position, long earliest, long end) {
        if (position >= earliest && position <= end) {
            return position;
        }
        if (outOfRange == OutOfRangePolicy.RESET_TO_EARLIEST) {
            log.warn("Kafka offset {} of {} is out of range [{}, {}]; resetting to the earliest offset {}"
                    + " (skipping {} offsets)", position, tp, earliest, end, earliest, Math.max(0, earliest - position));
            return earliest;
        }
        throw new KafkaOffsetsException(tp.topic(), tp.partition(), position, earliest, end);
    }

    /**
     * Takes back the batch {@code ranges} planned (the last one): its partitions return to where the
     * ranges start, so the next tick plans them again (a batch whose ranges could not be recorded).
     */
    public synchronized void rewind(List<OffsetRange> ranges) {
        ranges.forEach(r -> positions.put(r.topicPartition(), r.fromOffset()));
    }

    /** The next offset to read of each partition seen so far (what the metadata checkpoint keeps). */
    public synchronized Map<TopicPartition, Long> positions() {
        return Map.copyOf(positions);
    }

    /** Records behind per partition after the last planned batch (no seconds: see {@link LagProbe}). */
    public synchronized LagReport lag(long batchTime) {
        Map<TopicPartition, LagReport.PartitionLag> lag = new HashMap<>();
        latest.forEach((tp, end) -> lag.put(tp, new LagReport.PartitionLag(Math.max(0, end - positions.get(tp)), 0)));
        return new LagReport(batchTime, lag);
    }

    /** The end offsets seen at the last planned batch. */
    public synchronized Map<TopicPartition, Long> latestSeen() {
        return Map.copyOf(latest);
    }
}
