package dev.sluice.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.kafka.KafkaOffsetsException;
import dev.sluice.kafka.LagReport;
import dev.sluice.kafka.OffsetRange;
import dev.sluice.kafka.OutOfRangePolicy;
import dev.sluice.kafka.StartingOffsets;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OffsetTrackerIT {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static EmbeddedKafkaBroker broker;
    private static KafkaProducer<String, String> producer;
    private static RangeReader<String, String> reader;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.shared();
        producer = broker.stringProducer();
        reader = new RangeReader<>(broker.stringConsumerProperties());
    }

    @AfterAll
    static void close() {
        producer.close();
        reader.close();
    }

    private OffsetTracker tracker(String topic, StartingOffsets start, OutOfRangePolicy policy, OffsetRangePlanner planner) {
        BrokerOffsets offsets = new BrokerOffsets(broker.admin(), IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(30));
        return new OffsetTracker(offsets, List.of(topic), start, policy, planner);
    }

    /** Produces {@code count} records to {@code partition}, values {@code topic/partition/i}; returns the values. */
    private static List<String> produce(String topic, int partition, int first, int count) throws Exception {
        List<String> values = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            String value = topic + "/" + partition + "/" + i;
            producer.send(new ProducerRecord<>(topic, partition, "k" + i, value));
            values.add(value);
        }
        producer.flush();
        return values;
    }

    private static List<String> read(List<OffsetRange> ranges) {
        List<String> values = new ArrayList<>();
        ranges.forEach(r -> reader.read(r, rec -> values.add(rec.value())));
        return values;
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void nextBatch_randomProduceSizes_rangesCoverEveryOffsetOnce(long seed) throws Exception {
        Random random = new Random(seed);
        String topic = EmbeddedKafkaBroker.uniqueTopic("cover");
        int partitions = 3;
        broker.createTopic(topic, partitions);
        OffsetTracker tracker = tracker(topic, StartingOffsets.earliest(), OutOfRangePolicy.FAIL,
                new OffsetRangePlanner(SECOND, 1 + random.nextInt(200), 0));
        List<String> produced = new ArrayList<>();
        List<String> consumed = new ArrayList<>();
        Map<TopicPartition, Long> expectedNext = new HashMap<>();
        int[] next = new int[partitions];
        for (int batch = 0; batch < 40; batch++) {
            if (batch < 10) {
                for (int p = 0; p < partitions; p++) {
                    int n = random.nextInt(300);
                    produced.addAll(produce(topic, p, next[p], n));
                    next[p] += n;
                }
            }
            List<OffsetRange> ranges = tracker.nextBatch(OptionalLong.empty());
            for (OffsetRange r : ranges) {
                assertThat(r.fromOffset()).as("seed %s batch %s %s continues the last batch", seed, batch, r)
                        .isEqualTo(expectedNext.getOrDefault(r.topicPartition(), 0L));
                expectedNext.put(r.topicPartition(), r.untilOffset());
            }
            consumed.addAll(read(ranges));
        }

        assertThat(consumed).as("seed %s", seed).containsExactlyInAnyOrderElementsOf(produced);
        for (int p = 0; p < partitions; p++) {
            assertThat(tracker.positions()).as("seed %s", seed).containsEntry(new TopicPartition(topic, p), (long) next[p]);
        }
    }

    @Test
    void nextBatch_rateLimitAndColdStart_boundEachBatch() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("rate");
        broker.createTopic(topic, 2);
        produce(topic, 0, 0, 1_000);
        produce(topic, 1, 0, 30);
        OffsetTracker tracker = tracker(topic, StartingOffsets.earliest(), OutOfRangePolicy.FAIL,
                new OffsetRangePlanner(Duration.ofMillis(500), 200, 40));

        assertThat(tracker.nextBatch(OptionalLong.empty())).as("cold start: 40/s for 0.5 s")
                .containsExactly(new OffsetRange(topic, 0, 0, 20), new OffsetRange(topic, 1, 0, 20));
        assertThat(tracker.nextBatch(OptionalLong.empty())).as("then 200/s for 0.5 s")
                .containsExactly(new OffsetRange(topic, 0, 20, 120), new OffsetRange(topic, 1, 20, 30));
        assertThat(tracker.lag(0).partitions()).containsEntry(new TopicPartition(topic, 0),
                new LagReport.PartitionLag(880, 0)).containsEntry(new TopicPartition(topic, 1), new LagReport.PartitionLag(0, 0));
        assertThat(tracker.nextBatch(OptionalLong.of(50))).as("a backpressure quota below the rate")
                .containsExactly(new OffsetRange(topic, 0, 120, 170), new OffsetRange(topic, 1, 30, 30));
    }

    @Test
    void nextBatch_partitionsAddedAtRunTime_areReadFromTheirEarliestOffset() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("grow");
        broker.createTopic(topic, 1);
        List<String> produced = new ArrayList<>(produce(topic, 0, 0, 50));
        OffsetTracker tracker = tracker(topic, StartingOffsets.latest(), OutOfRangePolicy.FAIL,
                new OffsetRangePlanner(SECOND, 0, 0));
        assertThat(tracker.nextBatch(OptionalLong.empty())).as("latest: nothing before the start")
                .containsExactly(new OffsetRange(topic, 0, 50, 50));
        produced = new ArrayList<>(produce(topic, 0, 50, 10));

        broker.addPartitions(topic, 3);
        produced.addAll(produce(topic, 1, 0, 7));
        produced.addAll(produce(topic, 2, 0, 5));
        List<OffsetRange> ranges = tracker.nextBatch(OptionalLong.empty());

        assertThat(ranges).containsExactly(new OffsetRange(topic, 0, 50, 60), new OffsetRange(topic, 1, 0, 7),
                new OffsetRange(topic, 2, 0, 5));
        assertThat(read(ranges)).containsExactlyInAnyOrderElementsOf(produced);
    }

    @Test
    void nextBatch_explicitStart_startsNamedPartitionsThereAndOthersAtEarliest() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("explicit");
        broker.createTopic(topic, 2);
        produce(topic, 0, 0, 20);
        produce(topic, 1, 0, 20);
        OffsetTracker tracker = tracker(topic, StartingOffsets.explicit(Map.of(new TopicPartition(topic, 1), 15L)),
                OutOfRangePolicy.FAIL, new OffsetRangePlanner(SECOND, 0, 0));

        assertThat(tracker.nextBatch(OptionalLong.empty()))
                .containsExactly(new OffsetRange(topic, 0, 0, 20), new OffsetRange(topic, 1, 15, 20));
    }

    @Test
    void nextBatch_offsetsDeletedByRetention_failNamingTopicPartitionAndOffsetsOrResetToEarliest() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("retention");
        broker.createTopic(topic, 1);
        List<String> produced = produce(topic, 0, 0, 100);
        TopicPartition tp = new TopicPartition(topic, 0);
        OffsetRangePlanner planner = new OffsetRangePlanner(SECOND, 10, 0);
        OffsetTracker failing = tracker(topic, StartingOffsets.earliest(), OutOfRangePolicy.FAIL, planner);
        OffsetTracker resetting = tracker(topic, StartingOffsets.earliest(), OutOfRangePolicy.RESET_TO_EARLIEST, planner);
        failing.nextBatch(OptionalLong.empty());
        resetting.nextBatch(OptionalLong.empty());

        broker.admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(60))).all().get(30, TimeUnit.SECONDS);

        assertThatThrownBy(() -> failing.nextBatch(OptionalLong.empty()))
                .isInstanceOf(KafkaOffsetsException.class)
                .hasMessageContaining("offset 10 of " + topic + "-0 is out of range")
                .hasMessageContaining("offsets 60 to 100").hasMessageContaining("RESET_TO_EARLIEST")
                .satisfies(e -> assertThat(((KafkaOffsetsException) e).earliestOffset()).isEqualTo(60));
        assertThat(failing.positions()).as("a failed tick advances nothing").containsEntry(tp, 10L);
        List<OffsetRange> reset = resetting.nextBatch(OptionalLong.empty());
        assertThat(reset).containsExactly(new OffsetRange(topic, 0, 60, 70));
        assertThat(read(reset)).containsExactlyElementsOf(produced.subList(60, 70));
        assertThatThrownBy(() -> reader.readAll(new OffsetRange(topic, 0, 10, 20)))
                .isInstanceOf(KafkaOffsetsException.class).hasMessageContaining(topic + "-0");
    }

    @Test
    void nextBatch_deletedTopic_failsNamingIt() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("deleted");
        broker.createTopic(topic, 1);
        // Its own producer, closed before the deletion: the shared one would keep asking for the topic.
        try (KafkaProducer<String, String> own = broker.stringProducer()) {
            own.send(new ProducerRecord<>(topic, 0, "k", "v")).get(30, TimeUnit.SECONDS);
        }
        OffsetTracker tracker = tracker(topic, StartingOffsets.earliest(), OutOfRangePolicy.FAIL,
                new OffsetRangePlanner(SECOND, 0, 0));
        tracker.nextBatch(OptionalLong.empty());

        broker.deleteTopic(topic);

        assertThatThrownBy(() -> tracker.nextBatch(OptionalLong.empty()))
                .isInstanceOf(KafkaOffsetsException.class)
                .hasMessageContaining("topic '" + topic + "' does not exist");
    }

    @Test
    void restore_checkpointedPositions_winOverTheStartingOffsets() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("restore");
        broker.createTopic(topic, 2);
        produce(topic, 0, 0, 30);
        produce(topic, 1, 0, 30);
        OffsetTracker tracker = tracker(topic, StartingOffsets.latest(), OutOfRangePolicy.FAIL,
                new OffsetRangePlanner(SECOND, 0, 0));

        tracker.restore(Map.of(new TopicPartition(topic, 0), 25L));

        assertThat(tracker.nextBatch(OptionalLong.empty())).as("partition 1 is not in the checkpoint: new, so earliest")
                .containsExactly(new OffsetRange(topic, 0, 25, 30), new OffsetRange(topic, 1, 0, 30));
    }

    @Test
    void lagProbe_laggingPartitions_reportRecordsAndSecondsBehind() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("lag");
        broker.createTopic(topic, 2);
        long t0 = 1_000_000L;
        for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>(topic, 0, t0 + i * 1000L, "k", "v" + i));
        }
        producer.flush();
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);

        try (LagProbe probe = new LagProbe(broker.stringConsumerProperties(), Duration.ofSeconds(30))) {
            LagReport report = probe.measure(Map.of(p0, 4L, p1, 0L), Map.of(p0, 10L, p1, 0L), t0 + 20_000);

            assertThat(report.partitions()).containsEntry(p0, new LagReport.PartitionLag(6, 16.0))
                    .containsEntry(p1, new LagReport.PartitionLag(0, 0));
            assertThat(report.totalRecordsBehind()).isEqualTo(6);
            assertThat(report.maxSecondsBehind()).isEqualTo(16.0);
        }
    }
}
