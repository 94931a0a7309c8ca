package dev.sluice.kafka.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test broker's read_committed reads: right after a commit they include it (the partition's
 * commit marker is written after {@code commitTransaction} returns), and an open transaction is
 * waited for only as long as asked, its records left out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBrokerIT {
    private final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.shared();

    @Test
    void readCommitted_rightAfterACommit_includesIt_andAnOpenTransactionIsLeftOutAfterTheWait() {
        String topic = EmbeddedKafkaBroker.uniqueTopic("broker-read");
        broker.createTopic(topic, 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "broker-read-" + topic);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            for (int t = 0; t < 5; t++) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, 0, null, "a" + t));
                producer.commitTransaction();
                assertThat(broker.readAllValues(topic, true)).as("read right after commit %s", t)
                        .hasSize(t + 1).endsWith("a" + t);
            }

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, "b0"));
            producer.send(new ProducerRecord<>(topic, 0, null, "b1"));
            producer.flush();
            Properties c = broker.stringConsumerProperties();
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                Map<TopicPartition, Long> end = broker.stableEnd(consumer, List.of(partition), Duration.ofMillis(300));
                assertThat(end).as("5 committed records and their markers; the open transaction not waited out")
                        .containsEntry(partition, 10L);
            }
            producer.commitTransaction();
            assertThat(broker.readAllValues(topic, true)).containsExactly("a0", "a1", "a2", "a3", "a4", "b0", "b1");
        }
    }
}
