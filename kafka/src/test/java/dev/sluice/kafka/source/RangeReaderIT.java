package dev.sluice.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.OffsetRange;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RangeReaderIT {

    private final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.shared();

    @Test
    void read_randomRangesAndSplits_returnExactlyTheRecordsOfTheRange() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("reader");
        broker.createTopic(topic, 1);
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = broker.stringProducer()) {
            for (int i = 0; i < 5_000; i++) {
                values.add("v" + i);
                producer.send(new ProducerRecord<>(topic, 0, 1_000L + i, "k" + (i % 7), "v" + i));
            }
        }
        Random random = new Random(21);
        try (RangeReader<String, String> reader = new RangeReader<>(broker.stringConsumerProperties())) {
            for (int round = 0; round < 20; round++) {
                int from = random.nextInt(5_000);
                int until = from + random.nextInt(5_000 - from + 1);
                OffsetRange range = new OffsetRange(topic, 0, from, until);
                List<KafkaRecord<String, String>> read = new ArrayList<>();
                range.split(1 + random.nextInt(2_000)).forEach(piece -> reader.read(piece, read::add));

                assertThat(read).extracting(KafkaRecord::value).as("seed 21 range %s", range)
                        .containsExactlyElementsOf(values.subList(from, until));
                assertThat(read).extracting(KafkaRecord::offset).as("seed 21 range %s", range)
                        .containsExactlyElementsOf(java.util.stream.LongStream.range(from, until).boxed().toList());
                read.forEach(r -> assertThat(r).isEqualTo(new KafkaRecord<>(topic, 0, r.offset(), 1_000L + r.offset(),
                        "k" + (r.offset() % 7), "v" + r.offset())));
            }
        }
    }

    @Test
    void read_rangeEndingOnATransactionMarker_endsAtTheRangeWithoutWaiting() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("reader-txn");
        broker.createTopic(topic, 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "reader-it-" + topic);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (int t = 0; t < 3; t++) {
                producer.beginTransaction();
                for (int i = 0; i < 4; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, null, "t" + t + "-" + i));
                }
                producer.commitTransaction();
            }
        }
        Properties consumer = broker.stringConsumerProperties();
        consumer.put("isolation.level", "read_committed");
        // commitTransaction returns once the coordinator has decided; it writes the partition's
        // marker after that, so the end offset reaches 15 a moment later.
        long end = awaitEndOffset(new TopicPartition(topic, 0), 15);

        try (RangeReader<String, String> reader = new RangeReader<>(consumer)) {
            assertThat(end).as("3 transactions of 4 records and a commit marker each").isEqualTo(15);
            assertThat(reader.readAll(new OffsetRange(topic, 0, 0, end))).extracting(KafkaRecord::value)
                    .containsExactly("t0-0", "t0-1", "t0-2", "t0-3", "t1-0", "t1-1", "t1-2", "t1-3",
                            "t2-0", "t2-1", "t2-2", "t2-3");
        }
    }

    /**
     * Returns {@code partition}'s end offset once it has reached {@code expected} (or what it is
     * after 30 s, for the assertion to report): a readiness poll of the broker, not a wait on a batch.
     */
    private long awaitEndOffset(TopicPartition partition, long expected) throws InterruptedException {
        BrokerOffsets offsets = new BrokerOffsets(broker.admin(), IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long end = offsets.latest(List.of(partition)).get(partition);
            if (end >= expected || System.nanoTime() > deadline) {
                return end;
            }
            Thread.sleep(10);
        }
    }
}
