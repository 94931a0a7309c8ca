package dev.sluice.kafka;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.function.MapFunction;
import dev.sluice.kafka.sink.TransactionalBatchWriter;
import dev.sluice.streaming.TransactionalSink;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's batches into a Kafka topic, driven by the engine's {@link TransactionalSink} protocol.
 *
 * <h2>Exactly once ({@link DeliveryGuarantee#EXACTLY_ONCE})</h2>
 * One transactional id per output uid ({@code sluice-<uid>}, given to {@link #open}); opening fences
 * any older producer of the same output (a zombie of a killed run) and aborts its open transaction.
 * A batch is one transaction: {@link #begin} opens it, {@link #writePartition} sends a partition's
 * records, {@link #commit} adds a <em>batch marker</em> (a transactional offset commit of group
 * {@code sluice-sink-<uid>} whose offset is the batch id) and commits, so the records and the marker
 * become visible together. {@link #isCommitted} reads the marker (at open, from the broker), so it
 * survives restarts: after a crash between Kafka's commit and the engine's output commit log, the
 * replay is skipped. {@code read_committed} consumers see each record once.
 *
 * <p>A retried partition: each partition's records are kept until the commit; the first attempt of
 * a partition is sent at once, and if a partition is written again (its task was retried after its
 * records were sent), the commit aborts the transaction and sends every partition's last attempt
 * again in a new one, so only one attempt per partition takes effect. The cost: a batch's records
 * are held (as references) until its commit.
 *
 * <h2>At least once ({@link DeliveryGuarantee#AT_LEAST_ONCE})</h2>
 * An idempotent producer ({@code acks=all}): records are sent as partitions are written and flushed
 * at commit. Replays and retried partitions write again; {@link #isCommitted} is always false.
 *
 * <pre>{@code
 * KafkaSink<Pair<String, Long>> sink = KafkaSink.of("counts", Map.of("bootstrap.servers", servers,
 *         "key.serializer", StringSerializer.class.getName(), "value.serializer", LongSerializer.class.getName()),
 *         Pair::key, Pair::value, DeliveryGuarantee.EXACTLY_ONCE);
 * }</pre>
 *
 * <p>Threading: {@link #writePartition} may run concurrently from task threads; the other methods
 * run on the driver's output thread, one batch at a time.
 *
 * @param <T> the stream's record type
 * @param <K> the Kafka key type (of the configured {@code key.serializer})
 * @param <V> the Kafka value type (of the configured {@code value.serializer})
 */
public final class KafkaSink<T, K, V> implements TransactionalSink<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);

    private final String topic;
    private final Map<String, Object> producerProperties;
    private final MapFunction<? super T, ? extends K> key;
    private final MapFunction<? super T, ? extends V> value;
    private final DeliveryGuarantee guarantee;
    private transient TransactionalBatchWriter<K, V> writer;
    private transient volatile Batch<K, V> batch;

    /** The state of the batch in progress. */
    private static final class Batch<K, V> {
        final long id;
        final Map<Integer, List<ProducerRecord<K, V>>> partitions = new ConcurrentHashMap<>();
        final AtomicReference<Exception> failed = new AtomicReference<>();
        volatile boolean resend;

        Batch(long id) {
            this.id = id;
        }
    }

    private KafkaSink(String topic, Map<String, Object> producerProperties, MapFunction<? super T, ? extends K> key,
            MapFunction<? super T, ? extends V> value, DeliveryGuarantee guarantee) {
        this.topic = checkNotNull(topic, "topic");
        checkArgument(!topic.isBlank(), "topic must not be blank");
        checkNotNull(producerProperties, "producerProperties");
        checkArgument(producerProperties.get("bootstrap.servers") != null,
                "the producer properties of the Kafka sink to '%s' need bootstrap.servers", topic);
        this.producerProperties = Map.copyOf(producerProperties);
        this.key = checkNotNull(key, "key");
        this.value = checkNotNull(value, "value");
        this.guarantee = checkNotNull(guarantee, "guarantee");
    }

    /**
     * Returns a sink writing each record to {@code topic} with the key and value the functions give
     * (serialized by the producer properties' serializers), with {@code guarantee}.
     */
    public static <T, K, V> KafkaSink<T, K, V> of(String topic, Map<String, Object> producerProperties,
            MapFunction<? super T, ? extends K> key, MapFunction<? super T, ? extends V> value,
            DeliveryGuarantee guarantee) {
        return new KafkaSink<>(topic, producerProperties, key, value, guarantee);
    }

    /** Returns the topic written. */
    public String topic() {
        return topic;
    }

    /** Returns the delivery guarantee. */
    public DeliveryGuarantee guarantee() {
        return guarantee;
    }

    @Override
    public synchronized void open(String outputUid) {
        checkState(writer == null, "Kafka sink to '%s' is already open", topic);
        Properties p = new Properties();
        p.putAll(producerProperties);
        writer = new TransactionalBatchWriter<>(outputUid, topic, p, guarantee);
    }

    @Override
    public boolean isCommitted(long batchId) {
        return guarantee == DeliveryGuarantee.EXACTLY_ONCE && open().isCommitted(batchId);
    }

    @Override
    public synchronized void begin(long batchId, boolean replay) {
        TransactionalBatchWriter<K, V> w = open();
        batch = new Batch<>(batchId);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            w.begin(batchId);
        }
        if (replay) {
            log.info("Kafka sink to '{}' redoes batch {}, which an earlier run began and did not commit", topic, batchId);
        }
    }

    @Override
    public void writePartition(long batchId, int partition, Iterator<T> records) throws Exception {
        Batch<K, V> b = current(batchId);
        TransactionalBatchWriter<K, V> w = open();
        if (guarantee == DeliveryGuarantee.AT_LEAST_ONCE) {
            while (records.hasNext()) {
                w.send(toRecord(records.next()), b.failed);
            }
            return;
        }
        List<ProducerRecord<K, V>> out = new ArrayList<>();
        while (records.hasNext()) {
            out.add(toRecord(records.next()));
        }
        if (b.partitions.put(partition, out) != null) {
            b.resend = true; // a retried partition: the commit redoes the transaction with each last attempt
            log.debug("Kafka sink to '{}': partition {} of batch {} written again; the batch is re-sent at commit",
                    topic, partition, batchId);
        } else if (!b.resend) {
            out.forEach(r -> w.send(r, b.failed));
        }
    }

    private ProducerRecord<K, V> toRecord(T record) throws Exception {
        return new ProducerRecord<>(topic, key.call(record), value.call(record));
    }

    @Override
    public synchronized void commit(long batchId) {
        Batch<K, V> b = current(batchId);
        TransactionalBatchWriter<K, V> w = open();
        if (guarantee == DeliveryGuarantee.AT_LEAST_ONCE) {
            w.flush(batchId, b.failed);
            batch = null;
            return;
        }
        if (b.resend) {
            w.abort(batchId, new IllegalStateException("re-sending batch " + batchId));
            w.begin(batchId);
            AtomicReference<Exception> failed = new AtomicReference<>();
            new java.util.TreeMap<>(b.partitions).values().forEach(list -> list.forEach(r -> w.send(r, failed)));
            w.commit(batchId, null, failed);
        } else {
            w.commit(batchId, null, b.failed);
        }
        batch = null;
    }

    @Override
    public synchronized void abort(long batchId, Throwable cause) {
        batch = null;
        if (writer == null || guarantee == DeliveryGuarantee.AT_LEAST_ONCE) {
            return;
        }
        Exception collected = new IllegalStateException("abort of batch " + batchId, cause);
        writer.abort(batchId, collected);
        if (collected.getSuppressed().length > 0) {
            log.debug("Kafka sink to '{}': aborting batch {} failed too: {}", topic, batchId,
                    collected.getSuppressed()[0].toString());
        }
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    private TransactionalBatchWriter<K, V> open() {
        TransactionalBatchWriter<K, V> w = writer;
        checkState(w != null, "Kafka sink to '%s' is not open; the engine calls open(uid) before the first batch",
                topic);
        return w;
    }

    private Batch<K, V> current(long batchId) {
        Batch<K, V> b = batch;
        checkState(b != null && b.id == batchId, "Kafka sink to '%s': batch %s was not begun (current: %s)", topic,
                batchId, b == null ? "none" : b.id);
        return b;
    }
}
