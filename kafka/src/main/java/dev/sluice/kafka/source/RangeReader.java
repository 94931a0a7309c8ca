package dev.sluice.kafka.source;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import dev.sluice.kafka.KafkaOffsetsException;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.OffsetRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads exactly the records of one {@link OffsetRange} with a {@link KafkaConsumer}: assign the
 * partition, seek to {@code from}, poll until the consumer's position reaches {@code until}, and hand
 * on each record whose offset lies in the range. Deserializers and every other consumer setting
 * come from the consumer properties; the reader forces {@code enable.auto.commit=false} (offsets
 * belong to the checkpoint) and {@code auto.offset.reset=none} (a vanished offset is an error, never
 * a silent jump), and lowers {@code fetch.max.wait.ms} to 10 ms unless it is set. The loop ends on the position, not on the last record's offset, because offsets
 * of transaction markers and compacted records hold no data.
 *
 * <p>One reader can read many ranges in turn (a task keeps one per thread); it is closed by its
 * owner.
 *
 * <p>Threading: not thread-safe, like the consumer it wraps.
 *
 * @param <K> key type of the configured key deserializer
 * @param <V> value type of the configured value deserializer
 */
public final class RangeReader<K, V> implements AutoCloseable {

    private final KafkaConsumer<K, V> consumer;
    private final Duration pollTimeout;
    private final Duration stallTimeout;

    /**
     * @param consumerProperties {@code bootstrap.servers}, deserializers and other consumer settings
     * @param pollTimeout how long one poll waits
     * @param stallTimeout how long a read may go without progress before it fails
     */
    public RangeReader(Properties consumerProperties, Duration pollTimeout, Duration stallTimeout) {
        checkNotNull(consumerProperties, "consumerProperties");
        Properties p = new Properties();
        p.putAll(consumerProperties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // A range is known to exist, so a long fetch wait only delays the next range: the consumer
        // keeps one fetch in flight per broker, and its prefetch past the range's end would hold the
        // next read back by the full wait (500 ms by default).
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        this.consumer = new KafkaConsumer<>(p);
        this.pollTimeout = checkNotNull(pollTimeout, "pollTimeout");
        this.stallTimeout = checkNotNull(stallTimeout, "stallTimeout");
        checkArgument(stallTimeout.compareTo(pollTimeout) >= 0, "stallTimeout (%s) must be >= pollTimeout (%s)",
                stallTimeout, pollTimeout);
    }

    /** A reader with a 100 ms poll and a 60 s stall timeout. */
    public RangeReader(Properties consumerProperties) {
        this(consumerProperties, Duration.ofMillis(100), Duration.ofSeconds(60));
    }

    /** Hands every record of {@code range} to {@code sink}, in offset order; returns how many. */
    public long read(OffsetRange range, Consumer<? super KafkaRecord<K, V>> sink) {
        checkNotNull(range, "range");
        checkNotNull(sink, "sink");
        if (range.isEmpty()) {
            return 0;
        }
        TopicPartition tp = range.topicPartition();
        consumer.assign(List.of(tp));
        consumer.seek(tp, range.fromOffset());
        long delivered = 0;
        long stalledSince = System.nanoTime();
        while (consumer.position(tp) < range.untilOffset()) {
            ConsumerRecords<K, V> records = poll(range, tp);
            if (records.isEmpty()) {
                if (System.nanoTime() - stalledSince > stallTimeout.toNanos()) {
                    throw new SluiceException(String.format("reading %s stalled at offset %s for %s; is the broker "
                            + "up, and does the planner list offsets at the consumer's isolation.level?",
                            range, consumer.position(tp), stallTimeout));
                }
                continue;
            }
            stalledSince = System.nanoTime();
            for (ConsumerRecord<K, V> r : records.records(tp)) {
                if (r.offset() >= range.fromOffset() && r.offset() < range.untilOffset()) {
                    sink.accept(new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
                    delivered++;
                }
            }
        }
        return delivered;
    }

    /** The records of {@code range} as a list. */
    public List<KafkaRecord<K, V>> readAll(OffsetRange range) {
        List<KafkaRecord<K, V>> out = new ArrayList<>();
        read(range, out::add);
        return out;
    }

    private ConsumerRecords<K, V> poll(OffsetRange range, TopicPartition tp) {
        try {
            return consumer.poll(pollTimeout);
        } catch (OffsetOutOfRangeException e) {
            long earliest = consumer.beginningOffsets(List.of(tp)).get(tp);
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            KafkaOffsetsException error = new KafkaOffsetsException(tp.topic(), tp.partition(),
                    e.offsetOutOfRangePartitions().getOrDefault(tp, range.fromOffset()), earliest, end);
            error.initCause(e);
            throw error;
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
