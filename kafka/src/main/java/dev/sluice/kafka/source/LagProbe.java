package dev.sluice.kafka.source;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.kafka.LagReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Turns records-behind into seconds-behind: for each partition that is behind, it fetches the
 * timestamp of the oldest unread record (the one at the stream's position) and reports its age at
 * the batch time. It costs one fetch per lagging partition, so the source calls it for listeners,
 * not per record.
 *
 * <p>Threading: not thread-safe (one consumer); the batch generator owns it.
 */
public final class LagProbe implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    /** A probe over the brokers of {@code consumerProperties}; each measurement waits at most {@code timeout}. */
    public LagProbe(Properties consumerProperties, Duration timeout) {
        Properties p = new Properties();
        p.putAll(checkNotNull(consumerProperties, "consumerProperties"));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        this.consumer = new KafkaConsumer<>(p);
        this.timeout = checkNotNull(timeout, "timeout");
    }

    /** The lag of every partition of {@code positions} against {@code latest}, at {@code batchTime}. */
    public LagReport measure(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> latest, long batchTime) {
        Map<TopicPartition, Long> behind = new HashMap<>();
        positions.forEach((tp, pos) -> behind.put(tp, Math.max(0, latest.getOrDefault(tp, pos) - pos)));
        Map<TopicPartition, Long> oldestTimestamp = oldestUnreadTimestamps(positions, behind);
        Map<TopicPartition, LagReport.PartitionLag> lag = new HashMap<>();
        behind.forEach((tp, records) -> {
            Long ts = oldestTimestamp.get(tp);
            double seconds = records == 0 || ts == null ? 0 : Math.max(0, batchTime - ts) / 1000.0;
            lag.put(tp, new LagReport.PartitionLag(records, seconds));
        });
        return new LagReport(batchTime, lag);
    }

    private Map<TopicPartition, Long> oldestUnreadTimestamps(Map<TopicPartition, Long> positions,
            Map<TopicPartition, Long> behind) {
        List<TopicPartition> lagging = new ArrayList<>();
        behind.forEach((tp, records) -> {
            if (records > 0) {
                lagging.add(tp);
            }
        });
        Map<TopicPartition, Long> found = new HashMap<>();
        if (lagging.isEmpty()) {
            return found;
        }
        consumer.assign(lagging);
        lagging.forEach(tp -> consumer.seek(tp, positions.get(tp)));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (found.size() < lagging.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (found.putIfAbsent(tp, r.timestamp()) == null) {
                    consumer.pause(List.of(tp));
                }
            }
        }
        consumer.resume(consumer.paused());
        return found;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
