package dev.sluice.kafka;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.apache.kafka.common.TopicPartition;

/**
 * One record read from a Kafka topic partition: where it sits (topic, partition, offset), its
 * timestamp in epoch milliseconds, and its deserialized key and value (either may be null, as in
 * Kafka).
 *
 * @param <K> the key type, from the consumer's {@code key.deserializer}
 * @param <V> the value type, from the consumer's {@code value.deserializer}
 */
public record KafkaRecord<K, V>(String topic, int partition, long offset, long timestamp, K key, V value) {

    /** Checks the coordinates: a named topic and non-negative partition and offset. */
    public KafkaRecord {
        checkNotNull(topic, "topic");
        checkArgument(partition >= 0, "partition of topic '%s' must be >= 0, got %s", topic, partition);
        checkArgument(offset >= 0, "offset of %s-%s must be >= 0, got %s", topic, partition, offset);
    }

    /** The topic partition the record was read from. */
    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
