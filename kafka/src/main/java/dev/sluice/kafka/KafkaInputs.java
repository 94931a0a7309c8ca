package dev.sluice.kafka;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.kafka.source.KafkaInputDStream;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.spi.StreamingServices;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Kafka topics as streams, read directly (no receiver, no write-ahead log): each batch is one
 * offset range per topic partition, chosen at the batch tick and recorded in the metadata
 * checkpoint, so a batch re-run after a crash reads exactly the same records.
 *
 * <pre>{@code
 * Map<String, Object> consumer = Map.of(
 *         "bootstrap.servers", "localhost:9092",
 *         "group.id", "word-count",                     // offsets committed here, for monitoring
 *         "key.deserializer", StringDeserializer.class.getName(),
 *         "value.deserializer", StringDeserializer.class.getName());
 * DStream<KafkaRecord<String, String>> lines = KafkaInputs.directStream(ssc, consumer, List.of("lines"),
 *         KafkaSourceOptions.defaults().withMaxRatePerPartition(100_000));
 * lines.uid("lines");                                   // the checkpoint keys its offsets by this
 * }</pre>
 *
 * <p>Each batch's dataset has one partition per topic partition (or more with
 * {@link KafkaSourceOptions#withMaxRecordsPerTask}); its task reads exactly the range with a
 * consumer of the given properties (deserializers included; {@code enable.auto.commit} and
 * {@code auto.offset.reset} are overridden: offsets belong to the checkpoint). With
 * {@code isolation.level=read_committed} a range never reaches into an open transaction.
 *
 * <p>Starting point: {@link KafkaSourceOptions#startingOffsets()} on a fresh start; on recovery
 * ({@code getOrCreate}) the checkpoint's offsets, always. Partitions added while the stream runs
 * are read from their earliest offset. Offsets that retention deleted, or a deleted topic, fail the
 * batch with a {@link KafkaOffsetsException} naming topic, partition and offsets, unless the policy
 * is {@link OutOfRangePolicy#RESET_TO_EARLIEST}.
 *
 * <p>Rate: {@code maxRatePerPartition}, the cold-start rate, and the context's backpressure (a quota
 * for the whole stream, split over partitions in proportion to their lag). Lag, per partition, in
 * records and seconds: {@link KafkaSourceOptions#withLagListener} and the gauges
 * {@code sluice.kafka.lag.records} / {@code sluice.kafka.lag.seconds} (tags {@code stream},
 * {@code topic}, {@code partition}) in the context's {@link StreamingContext#meterRegistry()}.
 */
public final class KafkaInputs {

    private KafkaInputs() {
    }

    /** Returns a direct stream of {@code topics} with {@link KafkaSourceOptions#defaults()}. */
    public static <K, V> DStream<KafkaRecord<K, V>> directStream(StreamingContext ssc,
            Map<String, Object> consumerProperties, Collection<String> topics) {
        return directStream(ssc, consumerProperties, topics, KafkaSourceOptions.defaults());
    }

    /**
     * Returns a direct stream of {@code topics} read as {@code options} say.
     *
     * @throws IllegalArgumentException if {@code bootstrap.servers} is missing or no topic is given
     * @throws IllegalStateException if the context has already started
     */
    public static <K, V> DStream<KafkaRecord<K, V>> directStream(StreamingContext ssc,
            Map<String, Object> consumerProperties, Collection<String> topics, KafkaSourceOptions options) {
        checkNotNull(ssc, "ssc");
        checkNotNull(topics, "topics");
        KafkaInputDStream<K, V> input = new KafkaInputDStream<>(StreamingServices.graph(ssc), consumerProperties,
                List.copyOf(topics), options, StreamingServices.backpressure(ssc), ssc.meterRegistry());
        ssc.addListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchInfo info) {
                input.onBatchCompleted(info);
            }

            @Override
            public void onStreamingStopped() {
                input.onStreamingStopped();
            }
        });
        return StreamingServices.stream(ssc, input);
    }
}
