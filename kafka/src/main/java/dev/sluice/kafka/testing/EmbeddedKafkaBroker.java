package dev.sluice.kafka.testing;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker for tests: one combined broker + KRaft controller process
 * started in this JVM from Apache Kafka's own cluster test kit (the same 4.x release as the
 * client), on free loopback ports, with its log directories in a fresh temporary directory that is
 * deleted on close.
 *
 * <p>{@link #shared()} starts one broker per test JVM on first use and stops it at JVM exit, so a
 * module's test classes pay the start-up (a few seconds) once; tests then isolate themselves by
 * topic name ({@link #uniqueTopic}). The single node forces the internal topics (consumer offsets,
 * transaction state) to replication factor 1 and one partition, which also keeps the first
 * transactional producer and the first group commit fast.
 *
 * <p>Threading: all methods are thread-safe; the broker's own threads belong to the test kit.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();
    private static volatile EmbeddedKafkaBroker shared;
    /** How long a read_committed read waits for open transactions to end. */
    static final Duration STABLE_WAIT = Duration.ofSeconds(10);

    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    private EmbeddedKafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
    }

    /** Starts a new broker; the caller closes it. */
    public static EmbeddedKafkaBroker start() {
        long started = System.nanoTime();
        try {
            Path base = Files.createTempDirectory("sluice-kafka-broker");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                    .setBaseDirectory(base).build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("num.partitions", "1")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(cluster);
            long ready = System.nanoTime();
            broker.warmUp();
            log.info("Kafka broker started at {} in {} ms (internal topics warmed up in {} ms)",
                    cluster.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ready));
            return broker;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka broker: " + e, e);
        }
    }

    /**
     * Runs one transaction that also commits group offsets, so the broker creates and loads its
     * transaction-state and consumer-offsets topics now rather than inside the first test (where
     * the first transactional offset commit can otherwise outlast a producer's max.block.ms).
     */
    private void warmUp() {
        String topic = "sluice-warm-up";
        createTopic(topic, 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sluice-warm-up");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "180000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "warm", "up"));
            producer.sendOffsetsToTransaction(Map.of(new org.apache.kafka.common.TopicPartition(topic, 0),
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(1)),
                    new org.apache.kafka.clients.consumer.ConsumerGroupMetadata("sluice-warm-up"));
            producer.commitTransaction();
        }
    }

    /** The broker shared by every test in this JVM, started on first use and stopped at exit. */
    public static EmbeddedKafkaBroker shared() {
        EmbeddedKafkaBroker broker = shared;
        if (broker == null) {
            synchronized (EmbeddedKafkaBroker.class) {
                broker = shared;
                if (broker == null) {
                    broker = start();
                    EmbeddedKafkaBroker toClose = broker;
                    Runtime.getRuntime().addShutdownHook(new Thread(toClose::close, "kafka-broker-stop"));
                    shared = broker;
                }
            }
        }
        return broker;
    }

    /** The {@code host:port} list clients connect to. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** An admin client of this broker, owned by the broker (do not close it). */
    public Admin admin() {
        return admin;
    }

    /** A topic name no other test of this JVM uses, starting with {@code prefix}. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + TOPIC_SEQUENCE.incrementAndGet();
    }

    /** Creates a topic with {@code partitions} partitions and waits until it exists. */
    public void createTopic(String topic, int partitions) {
        checkArgument(partitions > 0, "partitions must be > 0, got %s", partitions);
        await(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all(), "create " + topic);
        awaitPartitions(topic, partitions);
    }

    /**
     * Waits until clients see {@code partitions} partitions of {@code topic}, each with a leader
     * that answers a list-offsets request. The controller acknowledges a new topic or partition
     * before the broker has applied it to the metadata it serves, and a stream started in that
     * gap would find its partitions a batch late (and read them from their start then): correct,
     * but not the batch a test expects.
     */
    private void awaitPartitions(String topic, int partitions) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "nothing described yet";
        try {
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(10, TimeUnit.SECONDS).get(topic);
                    List<TopicPartitionInfo> described = description.partitions();
                    if (described.size() == partitions
                            && described.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                        described.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                        return;
                    }
                    last = described.size() + " partition(s), leaders "
                            + described.stream().map(p -> String.valueOf(p.leader())).toList();
                } catch (ExecutionException | TimeoutException e) {
                    last = e.toString();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " did not show " + partitions
                            + " partitions with leaders within 60 s; last seen: " + last);
                }
                Thread.sleep(20); // a readiness poll of the broker's metadata, not a wait on data
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the partitions of " + topic, e);
        }
    }

    /** Grows {@code topic} to {@code totalPartitions} partitions. */
    public void addPartitions(String topic, int totalPartitions) {
        await(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(totalPartitions))).all(),
                "grow " + topic);
        awaitPartitions(topic, totalPartitions);
    }

    /** Deletes {@code topic} and waits until the broker has accepted the deletion. */
    public void deleteTopic(String topic) {
        await(admin.deleteTopics(List.of(topic)).all(), "delete " + topic);
    }

    /** A plain (non-transactional) String producer; the caller closes it. */
    public KafkaProducer<String, String> stringProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p);
    }

    /** Consumer properties with String deserializers and no group (for assign-based reading). */
    public Properties stringConsumerProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    /** {@link #stringConsumerProperties()} as a map, with {@code group.id} set unless {@code group} is null. */
    public Map<String, Object> stringConsumerMap(String group) {
        Map<String, Object> p = new java.util.HashMap<>();
        stringConsumerProperties().forEach((k, v) -> p.put(String.valueOf(k), v));
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return p;
    }

    /**
     * Every record value of {@code topic} from the beginning to the current end, read with the
     * given isolation level ({@code read_committed} stops at the last stable offset and skips
     * aborted records).
     *
     * <p>With {@code read_committed}, the end is the last stable offset once it has reached the
     * log end seen at the call: a producer's {@code commitTransaction} returns once the
     * coordinator decided the commit, and the markers that make the records readable reach the
     * partitions after that, so a read right after a commit could stop short of it. A transaction
     * still open after {@link #STABLE_WAIT} (a zombie's, say) is not waited for longer: its
     * records are not read.
     */
    public List<String> readAllValues(String topic, boolean readCommitted) {
        Properties p = stringConsumerProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> values = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(p)) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = readCommitted
                    ? stableEnd(consumer, partitions, STABLE_WAIT) : consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    /**
     * Returns the end offsets of {@code partitions} that {@code consumer} (read_committed) sees,
     * once each has reached the log end (high watermark) read first, or as they are after
     * {@code wait}.
     */
    Map<TopicPartition, Long> stableEnd(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                        List<TopicPartition> partitions, Duration wait) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> logEnd = new HashMap<>();
        await(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all(),
                "list the log end offsets of " + partitions).forEach((tp, info) -> logEnd.put(tp, info.offset()));
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
            if (partitions.stream().allMatch(tp -> stable.get(tp) >= logEnd.get(tp))) {
                return stable;
            }
            if (System.nanoTime() > deadline) {
                log.warn("a transaction on {} is still open after {}: its records are not read (stable end {}, "
                        + "log end {})", partitions, wait, stable, logEnd);
                return stable;
            }
            try {
                Thread.sleep(10); // a poll of the broker's offsets until the markers are written, not a wait on data
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the stable offsets of " + partitions, e);
            }
        }
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + what, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not " + what + ": " + e, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        try {
            cluster.close();
        } catch (Exception e) {
            log.warn("Kafka broker did not stop cleanly", e);
        }
    }
}
