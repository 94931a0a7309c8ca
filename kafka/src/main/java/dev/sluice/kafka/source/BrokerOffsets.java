package dev.sluice.kafka.source;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import dev.sluice.kafka.KafkaOffsetsException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks the broker, through an {@link Admin} client, which partitions the stream's topics have and
 * the earliest and latest offset of each. The latest offsets are read at the stream's isolation
 * level: under {@code read_committed} that is the last stable offset, so a planned range never
 * reaches into an open transaction (a reader would wait for it).
 *
 * <p>Threading: thread-safe (the admin client is).
 */
public final class BrokerOffsets {

    private final Admin admin;
    private final IsolationLevel isolationLevel;
    private final Duration timeout;

    /** Offsets from {@code admin} (not closed here) at {@code isolationLevel}, each call bounded by {@code timeout}. */
    public BrokerOffsets(Admin admin, IsolationLevel isolationLevel, Duration timeout) {
        this.admin = checkNotNull(admin, "admin");
        this.isolationLevel = checkNotNull(isolationLevel, "isolationLevel");
        this.timeout = checkNotNull(timeout, "timeout");
    }

    /** The partitions of each topic; a missing topic fails with a {@link KafkaOffsetsException} naming it. */
    public List<TopicPartition> partitions(Collection<String> topics) {
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics).topicNameValues();
        List<TopicPartition> result = new java.util.ArrayList<>();
        for (String topic : topics) {
            try {
                TopicDescription description = await(futures.get(topic), "describe topic " + topic);
                description.partitions().forEach(p -> result.add(new TopicPartition(topic, p.partition())));
            } catch (SluiceException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException missing) {
                    throw new KafkaOffsetsException(topic, missing);
                }
                throw e;
            }
        }
        return List.copyOf(result);
    }

    /** The earliest offset still held of each partition. */
    public Map<TopicPartition, Long> earliest(Collection<TopicPartition> partitions) {
        return list(partitions, OffsetSpec.earliest());
    }

    /** The end offset of each partition (the last stable offset under {@code read_committed}). */
    public Map<TopicPartition, Long> latest(Collection<TopicPartition> partitions) {
        return list(partitions, OffsetSpec.latest());
    }

    private Map<TopicPartition, Long> list(Collection<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        var result = admin.listOffsets(request, new ListOffsetsOptions(isolationLevel)).all();
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try {
            await(result, "list offsets of " + partitions).forEach((tp, info) -> offsets.put(tp, info.offset()));
        } catch (SluiceException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException missing) {
                throw new KafkaOffsetsException(partitions.iterator().next().topic(), missing);
            }
            throw e;
        }
        return offsets;
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("interrupted while trying to " + what, e);
        } catch (ExecutionException e) {
            throw new SluiceException("could not " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new SluiceException("could not " + what + " within " + timeout
                    + "; is the broker reachable at the configured bootstrap.servers?", e);
        }
    }
}
