package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The direct stream against the real broker, batch by batch under the test kit's manual clock:
 * which records each batch reads is decided by what was produced before the batch's tick, never by
 * timing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaInputsIT {
    private static EmbeddedKafkaBroker broker;
    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.shared();
        producer = broker.stringProducer();
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    private static Map<String, Object> consumer(String group) {
        return broker.stringConsumerMap(group);
    }

    /** Produces {@code count} values {@code "<tag>/<partition>/<i>"} to {@code partition}; returns them. */
    static List<String> produce(String topic, int partition, String tag, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String v = tag + "/" + partition + "/" + i;
            producer.send(new ProducerRecord<>(topic, partition, null, v));
            values.add(v);
        }
        producer.flush();
        return values;
    }

    private static <T> Map<T, Long> multiset(List<T> values) {
        return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static List<String> values(List<KafkaRecord<String, String>> records) {
        return records.stream().map(KafkaRecord::value).toList();
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22})
    void directStream_eachBatch_readsExactlyWhatWasProducedBeforeItsTick(long seed) throws Exception {
        Random random = new Random(seed);
        String topic = EmbeddedKafkaBroker.uniqueTopic("direct");
        String group = "g-" + topic;
        broker.createTopic(topic, 3);
        long split = 1 + random.nextInt(40);
        List<BatchInfo> submitted = new CopyOnWriteArrayList<>();
        List<LagReport> lags = new CopyOnWriteArrayList<>();
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<KafkaRecord<String, String>> in = KafkaInputs.directStream(kit.context(), consumer(group),
                    List.of(topic), KafkaSourceOptions.defaults().withInitialRatePerPartition(0)
                            .withMaxRecordsPerTask(split).withLagListener(lags::add));
            List<Integer> tasks = new CopyOnWriteArrayList<>();
            in.foreachBatch((ds, t) -> tasks.add(ds.numPartitions()));
            BatchOutput<KafkaRecord<String, String>> out = kit.collect(in);
            kit.context().addListener(new dev.sluice.streaming.StreamingListener() {
                @Override
                public void onBatchCompleted(BatchInfo info) {
                    submitted.add(info);
                }
            });
            Map<Integer, Integer> produced = new HashMap<>();
            List<List<String>> expected = new ArrayList<>();
            List<Integer> expectedTasks = new ArrayList<>();
            for (int b = 0; b < 6; b++) {
                List<String> batch = new ArrayList<>();
                int pieces = 0;
                for (int p = 0; p < 3; p++) {
                    int n = random.nextInt(4) == 0 ? 0 : random.nextInt(150);
                    batch.addAll(produce(topic, p, "b" + b, n));
                    produced.merge(p, n, Integer::sum);
                    pieces += Math.max(1, (int) ((n + split - 1) / split));
                }
                expected.add(batch);
                expectedTasks.add(pieces);
                kit.run(1);
            }

            for (int b = 0; b < 6; b++) {
                assertThat(multiset(values(out.batch(b)))).as("seed %s, batch %s", seed, b)
                        .isEqualTo(multiset(expected.get(b)));
                assertThat(submitted.get(b).numInputRecords()).as("seed %s, batch %s records", seed, b)
                        .isEqualTo(expected.get(b).size());
            }
            assertThat(tasks).as("seed %s: one task per partition, split into %s offsets", seed, split)
                    .isEqualTo(expectedTasks);
            // Offsets of one partition continue from batch to batch: each record once, in order.
            Map<Integer, List<Long>> offsets = new HashMap<>();
            out.all().forEach(r -> offsets.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.offset()));
            offsets.forEach((p, list) -> {
                for (int i = 0; i < list.size(); i++) {
                    assertThat(list.get(i)).as("seed %s, partition %s, record %s", seed, p, i).isEqualTo((long) i);
                }
            });
            assertThat(lags).hasSize(6).allSatisfy(l -> assertThat(l.totalRecordsBehind()).isZero());
            Map<TopicPartition, OffsetAndMetadata> committed = broker.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            for (int p = 0; p < 3; p++) {
                assertThat(committed.get(new TopicPartition(topic, p)).offset()).as("seed %s, group offset of %s", seed, p)
                        .isEqualTo((long) produced.getOrDefault(p, 0));
            }
        }
    }

    @Test
    void directStream_partitionsAddedWhileRunning_areReadFromTheirStart() {
        String topic = EmbeddedKafkaBroker.uniqueTopic("grow");
        broker.createTopic(topic, 1);
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            BatchOutput<KafkaRecord<String, String>> out = kit.collect(KafkaInputs.directStream(kit.context(),
                    consumer(null), List.of(topic), KafkaSourceOptions.defaults().withStartingOffsets(StartingOffsets.latest())));
            produce(topic, 0, "before-start", 5);
            kit.run(1); // latest: the 5 records before the first batch are skipped
            List<String> first = produce(topic, 0, "one", 7);
            kit.run(1);
            broker.addPartitions(topic, 3);
            List<String> later = new ArrayList<>(produce(topic, 0, "two", 3));
            later.addAll(produce(topic, 1, "two", 4));
            later.addAll(produce(topic, 2, "two", 6));
            kit.run(1);

            assertThat(out.batch(0)).isEmpty();
            assertThat(values(out.batch(1))).containsExactlyInAnyOrderElementsOf(first);
            assertThat(values(out.batch(2))).containsExactlyInAnyOrderElementsOf(later);
        }
    }

    @Test
    void directStream_rateLimitAndColdStart_capEachPartitionPerBatch_andLagGaugesShowTheRest() {
        String topic = EmbeddedKafkaBroker.uniqueTopic("rate");
        broker.createTopic(topic, 2);
        produce(topic, 0, "r", 100);
        produce(topic, 1, "r", 100);
        MeterRegistry registry = new SimpleMeterRegistry();
        List<Long> behind0 = new ArrayList<>();
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .meterRegistry(registry).build()) {
            DStream<KafkaRecord<String, String>> in = KafkaInputs.directStream(kit.context(), consumer(null),
                    List.of(topic), KafkaSourceOptions.defaults().withInitialRatePerPartition(10)
                            .withMaxRatePerPartition(30));
            BatchOutput<KafkaRecord<String, String>> out = kit.collect(in);
            for (int b = 0; b < 5; b++) {
                kit.run(1);
                behind0.add((long) registry.get("sluice.kafka.lag.records").tags("topic", topic, "partition", "0")
                        .gauge().value());
            }
            List<Long> perPartition0 = new ArrayList<>();
            for (int b = 0; b < 5; b++) {
                perPartition0.add(out.batch(b).stream().filter(r -> r.partition() == 0).count());
                assertThat(out.batch(b).stream().filter(r -> r.partition() == 1).count())
                        .isEqualTo(perPartition0.get(b));
            }
            assertThat(perPartition0).containsExactly(10L, 30L, 30L, 30L, 0L);
            assertThat(behind0).containsExactly(90L, 60L, 30L, 0L, 0L);
            assertThat(registry.find("sluice.kafka.lag.seconds").gauges()).hasSize(2);
        }
        assertThat(registry.find("sluice.kafka.lag.records").gauges()).as("removed at stop").isEmpty();
    }

    @Test
    void directStream_offsetsDeletedByRetention_failNamingThem_orResetToEarliest() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("retention");
        broker.createTopic(topic, 1);
        produce(topic, 0, "x", 100);
        KafkaSourceOptions limited = KafkaSourceOptions.defaults().withMaxRatePerPartition(10);
        try (StreamingTestKit failing = StreamingTestKit.builder().failOnBatchError(false).build();
             StreamingTestKit resetting = StreamingTestKit.builder().failOnBatchError(false).build()) {
            BatchOutput<KafkaRecord<String, String>> failed = failing.collect(KafkaInputs.directStream(
                    failing.context(), consumer(null), List.of(topic), limited));
            BatchOutput<KafkaRecord<String, String>> reset = resetting.collect(KafkaInputs.directStream(
                    resetting.context(), consumer(null), List.of(topic),
                    limited.withOutOfRangePolicy(OutOfRangePolicy.RESET_TO_EARLIEST)));
            failing.run(1);
            resetting.run(1);
            broker.admin().deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(60)))
                    .all().get(30, TimeUnit.SECONDS);
            failing.run(1);
            resetting.run(1);

            Throwable error = failing.batchInfos().get(1).failure().orElseThrow();
            assertThat(error).isInstanceOf(KafkaOffsetsException.class)
                    .hasMessageContaining("offset 10 of " + topic + "-0").hasMessageContaining("60 to 100")
                    .hasMessageContaining("RESET_TO_EARLIEST");
            assertThat(failed.batch(0)).hasSize(10);
            assertThat(reset.batch(1)).extracting(KafkaRecord::offset)
                    .containsExactly(60L, 61L, 62L, 63L, 64L, 65L, 66L, 67L, 68L, 69L);

            broker.deleteTopic(topic);
            resetting.run(1);
            assertThat(resetting.batchInfos().get(2).failure().orElseThrow())
                    .isInstanceOf(KafkaOffsetsException.class).hasMessageContaining("topic '" + topic + "'");
        }
    }
}
