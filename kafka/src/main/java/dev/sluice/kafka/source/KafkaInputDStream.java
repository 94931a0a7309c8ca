package dev.sluice.kafka.source;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSourceOptions;
import dev.sluice.kafka.LagReport;
import dev.sluice.kafka.OffsetRange;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.InputAllocation.SourceOffsets;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.InputDStream;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.RateLimitedInput;
import dev.sluice.streaming.dstream.RecoverableInput;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka direct stream: no receiver. At each batch tick the generator plans one offset range
 * per topic partition ({@link OffsetTracker}: rate cap, cold start, the backpressure quota split by
 * lag, new partitions, out-of-range offsets), and the batch's dataset has one partition per range
 * (or per piece of a split range) whose task reads exactly that range ({@link ReadRange}).
 *
 * <h2>Recovery</h2>
 * Each batch's ranges are this input's allocation in the metadata checkpoint ({@link SourceOffsets},
 * partitions named {@code topic-partition}, unsplit). On recovery, {@link #replay} takes them back:
 * a batch the checkpoint recorded reads the recorded ranges again (never re-planned), and planning
 * resumes after the newest recorded range of each partition, whatever the starting offsets say.
 *
 * Batches generated after the newest metadata checkpoint are found in the {@link RangeLog}, which
 * records each batch's ranges as they are planned, before the batch runs.
 *
 * <h2>Rate</h2>
 * The quota ({@link RateLimitedInput}) is the engine's backpressure; it starts unlimited, or, when
 * backpressure is on, at what the cold start allows (so the second batch does not take the
 * backlog the first one left), and the rate controller moves it from there.
 *
 * <h2>Offsets to the group, lag</h2>
 * After each completed batch its end offsets are committed to the consumer group (for monitoring
 * tools; see {@link #onBatchCompleted}). After each planned batch the lag goes to the listener of
 * the options and to the gauges of {@link KafkaLagGauges}; seconds behind are measured on a lag
 * thread of the stream (see {@link #reportLag}), so the batch never waits for that fetch.
 *
 * <p>Threading: {@link #compute} and the lag run on the generator thread; {@link #allocationsAt},
 * {@link #forgetBefore} and {@link #onBatchCompleted} on the job thread; {@link #replay} and
 * {@link #start} on the starting thread. The tracker is synchronized, the maps are concurrent,
 * the quota is volatile.
 */
public final class KafkaInputDStream<K, V> extends InputDStream<KafkaRecord<K, V>>
        implements RecoverableInput, RateLimitedInput {
    private static final Logger log = LoggerFactory.getLogger(KafkaInputDStream.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final Properties consumerProperties;
    private final List<String> topics;
    private final KafkaSourceOptions options;
    private final boolean backpressure;
    private final boolean checkpointing;
    private final KafkaLagGauges gauges;
    /** The unsplit ranges of each batch generated or replayed, until no checkpoint needs them. */
    private final NavigableMap<Time, List<OffsetRange>> history = new ConcurrentSkipListMap<>();
    /** The next offsets of each generated batch, until it completes (committed to the group then). */
    private final NavigableMap<Time, Map<TopicPartition, Long>> toCommit = new ConcurrentSkipListMap<>();
    private final Map<TopicPartition, Long> restored = new HashMap<>();
    private final ReaderPool<K, V> readers;
    private volatile long quota = Long.MAX_VALUE;
    private volatile boolean stopped;
    private volatile Admin admin;
    private OffsetTracker tracker;
    private LagProbe probe;
    private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    private java.util.concurrent.ExecutorService lagThread;
    /** The ranges of each batch, recorded as it is planned (with a checkpoint directory). */
    private volatile RangeLog rangeLog;

    /**
     * Creates the stream of {@code topics} on {@code graph}; {@code backpressure} says whether the
     * context's rate controller will set this input's quota, {@code registry} takes the lag gauges.
     */
    public KafkaInputDStream(DStreamGraph graph, Map<String, Object> consumerProperties, List<String> topics,
            KafkaSourceOptions options, boolean backpressure, MeterRegistry registry) {
        super(graph, OperatorKind.KAFKA_INPUT);
        checkNotNull(consumerProperties, "consumerProperties");
        checkArgument(consumerProperties.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) != null,
                "the consumer properties of a Kafka direct stream need %s", ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
        checkArgument(!topics.isEmpty(), "a Kafka direct stream needs at least one topic");
        topics.forEach(t -> checkArgument(t != null && !t.isBlank(), "topic names must not be blank, got %s", topics));
        this.consumerProperties = new Properties();
        this.consumerProperties.putAll(consumerProperties);
        this.topics = List.copyOf(topics);
        this.options = checkNotNull(options, "options");
        this.backpressure = backpressure;
        this.checkpointing = engine().checkpointDir().isPresent();
        this.readers = new ReaderPool<>(this.consumerProperties);
        setName(kind().operation() + " " + String.join(",", topics));
        this.gauges = new KafkaLagGauges(checkNotNull(registry, "registry"), name());
    }

    private OperatorKind kind() {
        return descriptor().kind();
    }

    @Override
    public synchronized void start() {
        if (checkpointing && rangeLog == null) {
            rangeLog = newRangeLog(graph().uids().get(this));
        }
        admin = Admin.create(adminProperties());
        IsolationLevel isolation = IsolationLevel.valueOf(String.valueOf(consumerProperties.getOrDefault(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted")).toUpperCase(Locale.ROOT));
        OffsetRangePlanner planner = new OffsetRangePlanner(graph().batchInterval(), options.maxRatePerPartition(),
                options.initialRatePerPartition());
        tracker = new OffsetTracker(new BrokerOffsets(admin, isolation, ADMIN_TIMEOUT), topics,
                options.startingOffsets(), options.outOfRangePolicy(), planner);
        if (!restored.isEmpty()) {
            tracker.restore(restored);
            log.info("{}: resuming from the checkpoint's offsets {} (they win over the starting offsets)", name(),
                    restored);
        }
        if (options.lagSeconds()) {
            probe = new LagProbe(consumerProperties, Duration.ofSeconds(2));
            lagThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sluice-kafka-lag " + name());
                t.setDaemon(true);
                return t;
            });
        }
    }

    private RangeLog newRangeLog(String uid) {
        return new RangeLog(engine().checkpointDir().orElseThrow(), uid, EngineServices.of(engine()).hadoopConf());
    }

    private Properties adminProperties() {
        Properties p = new Properties();
        consumerProperties.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.equals(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) || key.startsWith("security.")
                    || key.startsWith("sasl.") || key.startsWith("ssl.") || key.equals("client.dns.lookup")) {
                p.put(key, v);
            }
        });
        return p;
    }

    /**
     * Stops planning: a batch generated after this (a graceful stop's final batch) reads nothing,
     * while batches already planned still read their ranges. The admin client stays open for the
     * offset commits of the batches still queued, until {@link #onStreamingStopped}.
     */
    @Override
    public synchronized void stop() {
        stopped = true;
        readers.close();
        if (lagThread != null) {
            lagThread.shutdown();
            try {
                lagThread.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lagThread = null;
        }
        gauges.close(); // after the lag thread, whose last measurement would register them again
        if (probe != null) {
            probe.close();
            probe = null;
        }
    }

    /** Closes the admin client once the context has stopped (after the last batch's offset commit). */
    public synchronized void onStreamingStopped() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    @Override
    protected Optional<Dataset<KafkaRecord<K, V>>> compute(Time time) {
        List<OffsetRange> ranges = history.get(time);
        if (ranges != null) {
            log.debug("batch {}: {} re-reads its recorded ranges {}", time.millis(), name(), ranges);
        } else if (stopped) {
            return Optional.of(engine().<KafkaRecord<K, V>>emptyDataset().setName(name() + " @ " + time.millis()));
        } else {
            ranges = plan(time);
        }
        Map<TopicPartition, Long> next = new HashMap<>();
        ranges.forEach(r -> next.put(r.topicPartition(), r.untilOffset()));
        toCommit.put(time, next);
        List<OffsetRange> tasks = new ArrayList<>();
        for (OffsetRange r : ranges) {
            tasks.addAll(options.maxRecordsPerTask() > 0 ? r.split(options.maxRecordsPerTask()) : List.of(r));
        }
        if (tasks.isEmpty()) {
            return Optional.of(engine().<KafkaRecord<K, V>>emptyDataset().setName(name() + " @ " + time.millis()));
        }
        Dataset<KafkaRecord<K, V>> records = engine().parallelize(tasks, tasks.size())
                .mapMulti(new ReadRange<>(readers));
        return Optional.of(records.setName(name() + " @ " + time.millis()));
    }

    private List<OffsetRange> plan(Time time) {
        long q = quota;
        List<OffsetRange> ranges = tracker.nextBatch(q == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(q));
        RangeLog logged = rangeLog;
        if (logged != null) {
            try {
                logged.write(time, ranges);
            } catch (RuntimeException e) {
                tracker.rewind(ranges); // unrecorded, so unread: the next batch plans these offsets again
                throw e;
            }
        }
        history.put(time, ranges);
        if (backpressure && q == Long.MAX_VALUE && options.initialRatePerPartition() > 0) {
            // Cold start: the quota starts at what the first batch may read, and backpressure grows it.
            long first = Math.max(1, options.initialRatePerPartition() * graph().batchInterval().toMillis() / 1000);
            quota = Math.max(1, first * Math.max(1, ranges.size()));
        }
        log.debug("batch {}: {} reads {}", time.millis(), name(), ranges);
        reportLag(time);
        return ranges;
    }

    /**
     * Reports the lag after planning batch {@code time}: records behind at once (the gauges and, if
     * nothing is behind, the listener); seconds behind need a fetch per lagging partition, so they
     * are measured on the stream's lag thread, off the batch's path, which then tells the listener.
     * A measurement still running when the next batch is planned makes that batch skip its own.
     */
    private void reportLag(Time time) {
        LagReport records = tracker.lag(time.millis());
        if (probe == null || records.totalRecordsBehind() == 0) {
            publish(time, records);
            return;
        }
        gauges.updateRecords(records);
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        Map<TopicPartition, Long> positions = tracker.positions();
        Map<TopicPartition, Long> latest = tracker.latestSeen();
        LagProbe p = probe;
        lagThread.execute(() -> {
            try {
                publish(time, p.measure(positions, latest, time.millis()));
            } catch (RuntimeException e) {
                log.debug("batch {}: {} could not measure seconds behind: {}", time.millis(), name(), e.toString());
                publish(time, records);
            } finally {
                probing.set(false);
            }
        });
    }

    private void publish(Time time, LagReport lag) {
        gauges.update(lag);
        if (options.lagListener() != null) {
            try {
                options.lagListener().onLag(lag);
            } catch (RuntimeException e) {
                log.warn("batch {}: the lag listener of {} failed", time.millis(), name(), e);
            }
        }
    }

    /** Returns the lag after the last planned batch (records and, if measured, seconds behind). */
    public LagReport lastLag() {
        return gauges.last();
    }

    /**
     * Commits the completed batch's end offsets to the consumer group {@code group.id}, if set and
     * wanted: for monitoring tools only (the checkpoint is the truth), so a failure is a warning.
     */
    public void onBatchCompleted(BatchInfo info) {
        Map<TopicPartition, Long> next = toCommit.remove(info.batchTime());
        toCommit.headMap(info.batchTime()).clear();
        Object group = consumerProperties.get(ConsumerConfig.GROUP_ID_CONFIG);
        Admin a = admin;
        if (next == null || next.isEmpty() || !info.succeeded() || !options.commitOffsets() || group == null
                || a == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        try {
            a.alterConsumerGroupOffsets(String.valueOf(group), offsets).all()
                    .get(ADMIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("batch {}: {} could not commit offsets {} to consumer group '{}' (monitoring only): {}",
                    info.batchTime().millis(), name(), next, group, e.toString());
        }
    }

    @Override
    public long recordsAt(Time time) {
        List<OffsetRange> ranges = history.get(time);
        return ranges == null ? 0 : ranges.stream().mapToLong(OffsetRange::count).sum();
    }

    @Override
    protected void releaseBatch(Time time) {
        if (!checkpointing) {
            history.remove(time); // without a checkpoint, nothing asks for a released batch's ranges again
        }
    }

    // ---------------------------------------------------------------- rate

    @Override
    public long batchQuota() {
        return quota;
    }

    @Override
    public void setBatchQuota(long records) {
        quota = Math.max(1, records);
    }

    // ---------------------------------------------------------------- recovery

    @Override
    public Map<String, InputAllocation> allocationsAt(String uid, Time time, boolean newest) {
        List<OffsetRange> ranges = history.get(time);
        return ranges == null ? Map.of() : Map.of(uid, KafkaAllocations.toAllocation(ranges));
    }

    @Override
    public void forgetBefore(Time time) {
        history.headMap(time, false).clear();
        RangeLog logged = rangeLog;
        if (logged != null) {
            logged.deleteBefore(time);
        }
    }

    @Override
    public synchronized void replay(String uid, NavigableMap<Time, Map<String, InputAllocation>> batches) {
        batches.forEach((time, inputs) -> {
            InputAllocation a = inputs.get(uid);
            if (a == null) {
                return;
            }
            List<OffsetRange> ranges = KafkaAllocations.fromAllocation(uid, time, a);
            history.put(time, ranges);
            ranges.forEach(r -> restored.merge(r.topicPartition(), r.untilOffset(), Math::max));
        });
        if (checkpointing) {
            // Batches generated after the newest metadata checkpoint: recorded only in the range log.
            rangeLog = newRangeLog(uid);
            rangeLog.readAfter(batches.isEmpty() ? null : batches.lastKey()).forEach((time, ranges) -> {
                history.putIfAbsent(time, ranges);
                ranges.forEach(r -> restored.merge(r.topicPartition(), r.untilOffset(), Math::max));
            });
        }
        log.debug("{} ('{}'): {} recorded batch(es) replayed", name(), uid, history.size());
    }
}
