package dev.sluice.kafka;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one topic partition that one batch reads: offsets {@code fromOffset} (inclusive)
 * to {@code untilOffset} (exclusive). An empty range ({@code from == until}) is valid: the partition
 * had nothing new at that batch.
 *
 * <p>Offsets of a range are positions in the log, not a record count: on a compacted topic or one
 * written by transactions some offsets hold no data record, so a range may yield fewer records than
 * {@link #count()}.
 */
public record OffsetRange(String topic, int partition, long fromOffset, long untilOffset) {

    /** Checks the range: a named topic, partition and offsets non-negative, from &lt;= until. */
    public OffsetRange {
        checkNotNull(topic, "topic");
        checkArgument(!topic.isEmpty(), "topic of an offset range must not be empty");
        checkArgument(partition >= 0, "partition of topic '%s' must be >= 0, got %s", topic, partition);
        checkArgument(fromOffset >= 0, "fromOffset of %s-%s must be >= 0, got %s", topic, partition, fromOffset);
        checkArgument(untilOffset >= fromOffset,
                "untilOffset (%s) of %s-%s must be >= fromOffset (%s)", untilOffset, topic, partition, fromOffset);
    }

    /** The range of {@code tp} from {@code from} (inclusive) to {@code until} (exclusive). */
    public static OffsetRange of(TopicPartition tp, long from, long until) {
        checkNotNull(tp, "tp");
        return new OffsetRange(tp.topic(), tp.partition(), from, until);
    }

    /** The topic partition this range reads. */
    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    /** The number of offsets in the range ({@code until - from}). */
    public long count() {
        return untilOffset - fromOffset;
    }

    /** Whether the range holds no offsets. */
    public boolean isEmpty() {
        return untilOffset == fromOffset;
    }

    /**
     * Splits this range into consecutive pieces of at most {@code maxOffsets} offsets each, in
     * offset order, so one large partition can be read by several tasks. An empty range returns
     * itself.
     */
    public List<OffsetRange> split(long maxOffsets) {
        checkArgument(maxOffsets > 0, "maxOffsets must be > 0, got %s", maxOffsets);
        if (count() <= maxOffsets) {
            return List.of(this);
        }
        List<OffsetRange> pieces = new ArrayList<>();
        for (long from = fromOffset; from < untilOffset; from += maxOffsets) {
            pieces.add(new OffsetRange(topic, partition, from, Math.min(untilOffset, from + maxOffsets)));
        }
        return List.copyOf(pieces);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "[" + fromOffset + ", " + untilOffset + ")";
    }
}
