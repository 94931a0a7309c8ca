package dev.sluice.kafka.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.kafka.DeliveryGuarantee;
import dev.sluice.kafka.sink.TransactionalBatchWriter.Outcome;
import dev.sluice.kafka.sink.TransactionalBatchWriter.SourceOffsets;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionalBatchWriterIT {

    private final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.shared();

    private Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    private TransactionalBatchWriter<String, String> writer(String uid, String topic, DeliveryGuarantee guarantee) {
        return new TransactionalBatchWriter<>(uid, topic, producerProperties(), guarantee);
    }

    /** Batch {@code batch}'s records: values {@code b<batch>-<i>}, keys spread over the topic's partitions. */
    private static List<ProducerRecord<String, String>> batch(String topic, long batch, int count) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, "k" + (i % 5), "b" + batch + "-" + i));
        }
        return records;
    }

    private static List<String> values(List<ProducerRecord<String, String>> records) {
        return records.stream().map(ProducerRecord::value).toList();
    }

    private static Map<String, Long> counts(List<String> values) {
        return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** Records that throw once {@code failAt} of them have been handed out (an output failing mid-batch). */
    private static Iterable<ProducerRecord<String, String>> failingAfter(List<ProducerRecord<String, String>> records,
            int failAt) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public ProducerRecord<String, String> next() {
                if (next == failAt) {
                    throw new IllegalStateException("output failed at record " + failAt);
                }
                return records.get(next++);
            }
        };
    }

    @Test
    void write_exactlyOnceBatches_readCommittedSeesEachRecordOnceAndGroupOffsetsAreCommitted() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("eos");
        broker.createTopic(topic, 3);
        Random random = new Random(31);
        List<String> expected = new ArrayList<>();
        String sourceTopic = EmbeddedKafkaBroker.uniqueTopic("eos-source");
        broker.createTopic(sourceTopic, 1);
        TopicPartition source = new TopicPartition(sourceTopic, 0);
        try (var writer = writer("eos-" + topic, topic, DeliveryGuarantee.EXACTLY_ONCE)) {
            assertThat(writer.transactionalId()).isEqualTo("sluice-eos-" + topic);
            assertThat(writer.lastCommittedBatch()).isEqualTo(-1);
            for (long batchTime = 1_000; batchTime <= 5_000; batchTime += 1_000) {
                List<ProducerRecord<String, String>> records = batch(topic, batchTime, random.nextInt(500));
                expected.addAll(values(records));
                assertThat(writer.write(batchTime, records, new SourceOffsets("eos-group-" + topic,
                        Map.of(source, batchTime * 10)))).isEqualTo(Outcome.WRITTEN);
            }
            assertThat(writer.lastCommittedBatch()).isEqualTo(5_000);
        }

        assertThat(counts(broker.readAllValues(topic, true))).as("seed 31").isEqualTo(counts(expected));
        Map<TopicPartition, OffsetAndMetadata> committed = broker.admin()
                .listConsumerGroupOffsets("eos-group-" + topic).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        assertThat(committed.get(source).offset()).isEqualTo(50_000);
    }

    @Test
    void write_failedAttemptThenReplay_abortedRecordsAreNotSeen() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("eos-abort");
        broker.createTopic(topic, 2);
        List<ProducerRecord<String, String>> first = batch(topic, 1, 100);
        List<ProducerRecord<String, String>> second = batch(topic, 2, 300);
        try (var writer = writer("abort-" + topic, topic, DeliveryGuarantee.EXACTLY_ONCE)) {
            writer.write(1, first, null);

            assertThatThrownBy(() -> writer.write(2, failingAfter(second, 150), null))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("output failed at record 150");
            assertThat(writer.isCommitted(2)).isFalse();
            assertThat(writer.write(2, second, null)).as("the replay").isEqualTo(Outcome.WRITTEN);
        }

        List<String> expected = new ArrayList<>(values(first));
        expected.addAll(values(second));
        assertThat(counts(broker.readAllValues(topic, true))).isEqualTo(counts(expected));
    }

    @Test
    void write_zombieOfAKilledProcess_isFencedAndTheNewWriterRedoesTheBatchOnce() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("eos-zombie");
        broker.createTopic(topic, 2);
        String uid = "zombie-" + topic;
        List<ProducerRecord<String, String>> records = batch(topic, 7, 200);
        List<TransactionalBatchWriter<String, String>> successor = new ArrayList<>();
        try (var zombie = writer(uid, topic, DeliveryGuarantee.EXACTLY_ONCE)) {
            // The restarted process opens its writer while the old one is half-way through batch 7.
            Iterable<ProducerRecord<String, String>> zombieSees = () -> new Iterator<>() {
                private int handed;

                @Override
                public boolean hasNext() {
                    return handed < records.size();
                }

                @Override
                public ProducerRecord<String, String> next() {
                    if (handed == 100) {
                        successor.add(writer(uid, topic, DeliveryGuarantee.EXACTLY_ONCE));
                    }
                    return records.get(handed++);
                }
            };

            assertThatThrownBy(() -> zombie.write(7, zombieSees, null)).isInstanceOf(SluiceException.class);
        }
        try (var restarted = successor.get(0)) {
            assertThat(restarted.lastCommittedBatch()).isEqualTo(-1);
            assertThat(restarted.write(7, records, null)).isEqualTo(Outcome.WRITTEN);
        }

        assertThat(counts(broker.readAllValues(topic, true))).isEqualTo(counts(values(records)));
    }

    @Test
    void write_replayOfABatchKafkaCommittedBeforeACrash_isSkippedByTheRestartedWriter() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("eos-replay");
        broker.createTopic(topic, 1);
        List<ProducerRecord<String, String>> b1 = batch(topic, 1_000, 50);
        List<ProducerRecord<String, String>> b2 = batch(topic, 2_000, 60);
        String uid = "replay-" + topic;
        try (var before = writer(uid, topic, DeliveryGuarantee.EXACTLY_ONCE)) {
            before.write(1_000, b1, null);
            // The process dies here: Kafka committed batch 1000, the engine's commit log did not.
        }
        try (var after = writer(uid, topic, DeliveryGuarantee.EXACTLY_ONCE)) {
            assertThat(after.lastCommittedBatch()).isEqualTo(1_000);
            assertThat(after.write(1_000, b1, null)).isEqualTo(Outcome.SKIPPED_ALREADY_COMMITTED);
            assertThat(after.write(2_000, b2, null)).isEqualTo(Outcome.WRITTEN);
        }

        List<String> expected = new ArrayList<>(values(b1));
        expected.addAll(values(b2));
        assertThat(counts(broker.readAllValues(topic, true))).isEqualTo(counts(expected));
    }

    @Test
    void write_atLeastOnceReplay_seesEveryRecordAtLeastOnceAndCommitsGroupOffsets() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("alo");
        broker.createTopic(topic, 2);
        List<ProducerRecord<String, String>> b1 = batch(topic, 1, 120);
        List<ProducerRecord<String, String>> b2 = batch(topic, 2, 80);
        TopicPartition source = new TopicPartition(topic, 1);
        try (var writer = writer("alo-" + topic, topic, DeliveryGuarantee.AT_LEAST_ONCE)) {
            writer.write(1, b1, null);
            writer.write(2, b2, new SourceOffsets("alo-group-" + topic, Map.of(source, 42L)));
            writer.write(2, b2, null); // a replay after a crash before the engine's commit
            assertThat(writer.isCommitted(2)).as("at least once keeps no marker").isFalse();
        }

        Map<String, Long> seen = counts(broker.readAllValues(topic, false));
        assertThat(seen.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(b1.size() + 2L * b2.size());
        values(b1).forEach(v -> assertThat(seen.get(v)).as(v).isEqualTo(1));
        values(b2).forEach(v -> assertThat(seen.get(v)).as(v).isEqualTo(2));
        assertThat(broker.admin().listConsumerGroupOffsets("alo-group-" + topic).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(source).offset()).isEqualTo(42);
    }

    @Test
    void constructor_uidWithIllegalCharacters_failsNamingIt() {
        assertThatThrownBy(() -> writer("bad uid!", "t", DeliveryGuarantee.EXACTLY_ONCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output uid 'bad uid!'");
    }
}
