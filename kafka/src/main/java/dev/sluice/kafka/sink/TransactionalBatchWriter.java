package dev.sluice.kafka.sink;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import dev.sluice.kafka.DeliveryGuarantee;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a stream's batches to Kafka for one output uid.
 *
 * <h2>Exactly once</h2>
 * One transactional id per output, {@code sluice-<uid>}, stable across restarts and upgrades.
 * Opening the writer calls {@code initTransactions}, which fences any older producer of the same
 * output (a zombie of a killed process) and aborts its open transaction. Each batch is one
 * transaction: its records, then a <em>batch marker</em>, then the source offsets, then commit. The
 * marker is a consumer-group offset commit inside the transaction (group {@code sluice-sink-<uid>},
 * partition 0 of the output topic, offset = the batch id, which is the batch time): it becomes
 * visible atomically with the records, so after any crash the writer knows the last batch Kafka
 * committed and {@link #write} skips a replay of it. A batch whose attempt fails is aborted and
 * rethrown; the replay writes it again in a fresh transaction, and {@code read_committed}
 * consumers never see the aborted records.
 *
 * <h2>At least once</h2>
 * An idempotent producer ({@code acks=all}, no duplicates from its own retries): records are sent,
 * flushed, then the source offsets are committed. A replay writes the batch again.
 *
 * <h2>Source offsets</h2>
 * After each written batch the offsets the batch read are committed to the source's consumer group
 * (inside the transaction in exactly-once mode), so monitoring tools see the stream's progress; the
 * checkpoint stays the source of truth.
 *
 * <p>Threading: {@link #send} is thread-safe (the producer is); the other steps are driven by one
 * thread, the batch's output job.
 *
 * @param <K> key type of the configured key serializer
 * @param <V> value type of the configured value serializer
 */
public final class TransactionalBatchWriter<K, V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TransactionalBatchWriter.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What {@link #write} did with a batch. */
    public enum Outcome { WRITTEN, SKIPPED_ALREADY_COMMITTED }

    /** Offsets of a source's consumer group to commit with a batch: the next offset to read per partition. */
    public record SourceOffsets(String groupId, Map<TopicPartition, Long> nextOffsets) {
        /** Copies the map. */
        public SourceOffsets {
            checkNotNull(groupId, "groupId");
            nextOffsets = Map.copyOf(nextOffsets);
        }

        Map<TopicPartition, OffsetAndMetadata> asCommit() {
            Map<TopicPartition, OffsetAndMetadata> commit = new java.util.HashMap<>();
            nextOffsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
            return commit;
        }
    }

    private final String uid;
    private final DeliveryGuarantee guarantee;
    private final TopicPartition markerPartition;
    private final String markerGroup;
    private final KafkaProducer<K, V> producer;
    private final Admin admin;
    private long lastCommittedBatch;

    /**
     * Opens the writer of output {@code uid} (in exactly-once mode this fences older writers of the
     * same uid and reads the last committed batch).
     *
     * @param uid the output operator's stable uid
     * @param topic the topic the output writes; its partition 0 carries the batch marker
     * @param producerProperties {@code bootstrap.servers}, serializers and other producer settings
     */
    public TransactionalBatchWriter(String uid, String topic, Properties producerProperties, DeliveryGuarantee guarantee) {
        checkNotNull(uid, "uid");
        checkArgument(uid.matches("[A-Za-z0-9._-]+"),
                "output uid '%s' may hold only letters, digits, '.', '_' and '-' (it names a transactional id)", uid);
        this.uid = uid;
        this.guarantee = checkNotNull(guarantee, "guarantee");
        this.markerPartition = new TopicPartition(checkNotNull(topic, "topic"), 0);
        this.markerGroup = "sluice-sink-" + uid;
        this.producer = new KafkaProducer<>(producerConfig(producerProperties));
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                producerProperties.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)));
        try {
            if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                producer.initTransactions();
                lastCommittedBatch = readMarker();
                log.info("Kafka output '{}' opened with transactional id {}; last committed batch {}", uid,
                        transactionalId(), lastCommittedBatch);
            } else {
                lastCommittedBatch = -1;
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Properties producerConfig(Properties given) {
        checkNotNull(given, "producerProperties");
        checkArgument(given.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) != null,
                "producer properties of Kafka output '%s' need bootstrap.servers", uid);
        Properties p = new Properties();
        p.putAll(given);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        } else {
            p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        }
        return p;
    }

    /** The transactional id of this output ({@code sluice-<uid>}). */
    public String transactionalId() {
        return "sluice-" + uid;
    }

    /** The last batch id Kafka committed for this output, -1 if none (always -1 at least once). */
    public long lastCommittedBatch() {
        return lastCommittedBatch;
    }

    /** Whether batch {@code batchId} is already committed (exactly-once mode only; batches commit in order). */
    public boolean isCommitted(long batchId) {
        return batchId <= lastCommittedBatch;
    }

    /**
     * Writes batch {@code batchId}'s records and commits them, with {@code source} (may be null)
     * committed to the source's group. A failure aborts the attempt and is rethrown; call again to
     * redo the batch.
     */
    public Outcome write(long batchId, Iterable<? extends ProducerRecord<K, V>> records, SourceOffsets source) {
        checkArgument(batchId >= 0, "batchId must be >= 0, got %s", batchId);
        checkNotNull(records, "records");
        if (guarantee == DeliveryGuarantee.AT_LEAST_ONCE) {
            writeAtLeastOnce(batchId, records, source);
            return Outcome.WRITTEN;
        }
        if (isCommitted(batchId)) {
            log.info("Kafka output '{}' skips batch {}: Kafka already committed it (last committed {})", uid,
                    batchId, lastCommittedBatch);
            return Outcome.SKIPPED_ALREADY_COMMITTED;
        }
        begin(batchId);
        try {
            AtomicReference<Exception> failed = new AtomicReference<>();
            records.forEach(r -> send(r, failed));
            commit(batchId, source, failed);
        } catch (RuntimeException e) {
            abort(batchId, e);
            throw e;
        }
        return Outcome.WRITTEN;
    }

    /** Exactly once: begins the transaction of batch {@code batchId}. */
    public void begin(long batchId) {
        checkArgument(batchId >= 0, "batchId must be >= 0, got %s", batchId);
        checkArgument(guarantee == DeliveryGuarantee.EXACTLY_ONCE, "begin is for the exactly-once mode");
        try {
            producer.beginTransaction();
        } catch (KafkaException e) {
            throw fencedOrFailed(batchId, e);
        }
    }

    /** Sends one record (thread-safe); an asynchronous failure lands in {@code failed}. */
    public void send(ProducerRecord<K, V> record, AtomicReference<Exception> failed) {
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failed.compareAndSet(null, e);
            }
        });
    }

    /**
     * Exactly once: adds the batch marker (and {@code source}, may be null), flushes, checks
     * {@code failed} and commits the transaction. Throws on failure without aborting: call
     * {@link #abort(long, Exception)}.
     */
    public void commit(long batchId, SourceOffsets source, AtomicReference<Exception> failed) {
        try {
            producer.sendOffsetsToTransaction(Map.of(markerPartition,
                    new OffsetAndMetadata(batchId, "sluice batch " + batchId)), new ConsumerGroupMetadata(markerGroup));
            if (source != null && !source.nextOffsets().isEmpty()) {
                producer.sendOffsetsToTransaction(source.asCommit(), new ConsumerGroupMetadata(source.groupId()));
            }
            producer.flush();
            if (failed.get() != null) {
                throw new SluiceException("Kafka output '" + uid + "': a record of batch " + batchId + " failed: "
                        + failed.get(), failed.get());
            }
            producer.commitTransaction();
        } catch (KafkaException e) {
            throw fencedOrFailed(batchId, e);
        }
        lastCommittedBatch = batchId;
        log.debug("Kafka output '{}' committed batch {}", uid, batchId);
    }

    /** At least once: flushes and checks {@code failed}. */
    public void flush(long batchId, AtomicReference<Exception> failed) {
        producer.flush();
        if (failed.get() != null) {
            throw new SluiceException("Kafka output '" + uid + "': a record of batch " + batchId + " failed: "
                    + failed.get(), failed.get());
        }
    }

    private SluiceException fencedOrFailed(long batchId, KafkaException e) {
        if (e instanceof ProducerFencedException || e instanceof OutOfOrderSequenceException
                || e instanceof AuthorizationException || e.getCause() instanceof ProducerFencedException) {
            return new SluiceException(String.format("Kafka output '%s' (transactional id %s) cannot write batch %s: "
                    + "%s; another writer of the same uid has taken over (a newer run of the program): this one is "
                    + "a zombie and must stop", uid, transactionalId(), batchId, e), e);
        }
        return new SluiceException("Kafka output '" + uid + "' failed on batch " + batchId + ": " + e, e);
    }

    /** Exactly once: aborts the open transaction of batch {@code batchId}; a failure is added to {@code cause}. */
    public void abort(long batchId, Exception cause) {
        try {
            producer.abortTransaction();
            log.debug("Kafka output '{}' aborted batch {}", uid, batchId);
        } catch (KafkaException | IllegalStateException abortFailed) {
            cause.addSuppressed(abortFailed);
        }
    }

    private void writeAtLeastOnce(long batchId, Iterable<? extends ProducerRecord<K, V>> records, SourceOffsets source) {
        AtomicReference<Exception> failed = new AtomicReference<>();
        records.forEach(r -> send(r, failed));
        flush(batchId, failed);
        if (source != null && !source.nextOffsets().isEmpty()) {
            await(admin.alterConsumerGroupOffsets(source.groupId(), source.asCommit()).all(),
                    "commit offsets of group " + source.groupId());
        }
    }

    private long readMarker() {
        var offsets = await(admin.listConsumerGroupOffsets(markerGroup,
                new ListConsumerGroupOffsetsOptions().requireStable(true)).partitionsToOffsetAndMetadata(),
                "read the batch marker of group " + markerGroup);
        OffsetAndMetadata marker = offsets.get(markerPartition);
        return marker == null ? -1 : marker.offset();
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("interrupted while trying to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SluiceException("could not " + what + ": " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
