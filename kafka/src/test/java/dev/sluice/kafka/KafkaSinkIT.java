package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka sink driven exactly as {@code TransactionalSink}'s javadoc says the engine drives it,
 * against the real broker: isCommitted, begin, writePartition per partition (concurrently, and
 * again for a retried partition), commit, abort; crashes by abandoning a sink without closing it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaSinkIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.shared();
    }

    private static KafkaSink<String, String, String> sink(String topic, DeliveryGuarantee guarantee) {
        Map<String, Object> p = Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName(),
                "linger.ms", "5");
        return KafkaSink.of(topic, p, v -> v.substring(0, 1), v -> v, guarantee);
    }

    /** Batch {@code id}'s records: partition p holds values {@code "<id>/<p>/<i>"}, sizes seeded. */
    private static List<List<String>> batch(long id, Random random, int partitions) {
        List<List<String>> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<String> part = new ArrayList<>();
            int n = random.nextInt(200);
            for (int i = 0; i < n; i++) {
                part.add(id + "/" + p + "/" + i);
            }
            out.add(part);
        }
        return out;
    }

    /** The engine's protocol for one batch; partitions are written concurrently. */
    private static boolean drive(KafkaSink<String, String, String> sink, long id, List<List<String>> partitions,
            boolean replay, ExecutorService pool) throws Exception {
        if (sink.isCommitted(id)) {
            return false;
        }
        sink.begin(id, replay);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int p = 0; p < partitions.size(); p++) {
                int partition = p;
                tasks.add(pool.submit(() -> {
                    sink.writePartition(id, partition, partitions.get(partition).iterator());
                    return null;
                }));
            }
            for (Future<?> t : tasks) {
                t.get(60, TimeUnit.SECONDS);
            }
            sink.commit(id);
        } catch (Exception e) {
            sink.abort(id, e);
            throw e;
        }
        return true;
    }

    private static Map<String, Long> counts(List<String> values) {
        return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @Test
    void exactlyOnce_crashesRetriesAndZombie_readCommittedSeesEachRecordOnce() throws Exception {
        long seed = 1207;
        Random random = new Random(seed);
        String topic = EmbeddedKafkaBroker.uniqueTopic("sink-eos");
        broker.createTopic(topic, 2);
        List<String> expected = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // Batches 1000 and 2000 commit; the process then dies between Kafka's commit of 2000 and the
            // engine's commit log: the sink is abandoned, not closed.
            KafkaSink<String, String, String> first = sink(topic, DeliveryGuarantee.EXACTLY_ONCE);
            first.open("out-" + topic);
            for (long id : new long[] {1000, 2000}) {
                List<List<String>> b = batch(id, random, 3);
                assertThat(drive(first, id, b, false, pool)).isTrue();
                b.forEach(expected::addAll);
            }

            // The restarted run re-runs 2000: the marker says it is committed, so nothing is written.
            KafkaSink<String, String, String> second = sink(topic, DeliveryGuarantee.EXACTLY_ONCE);
            second.open("out-" + topic);
            assertThat(second.isCommitted(2000)).isTrue();
            assertThat(second.isCommitted(3000)).isFalse();
            assertThat(drive(second, 2000, batch(2000, new Random(seed), 3), true, pool)).isFalse();

            // Batch 3000: partition 1 is written, its task "fails" after the write and is retried with
            // the same records; only one attempt may take effect.
            List<List<String>> b3 = batch(3000, random, 3);
            second.begin(3000, false);
            second.writePartition(3000, 0, b3.get(0).iterator());
            second.writePartition(3000, 1, b3.get(1).iterator());
            second.writePartition(3000, 1, b3.get(1).iterator());
            second.writePartition(3000, 2, b3.get(2).iterator());
            second.commit(3000);
            b3.forEach(expected::addAll);

            // Batch 4000 begins and writes, then a third run starts (the second one is now a zombie).
            List<List<String>> b4 = batch(4000, random, 3);
            second.begin(4000, false);
            second.writePartition(4000, 0, b4.get(0).iterator());
            KafkaSink<String, String, String> third = sink(topic, DeliveryGuarantee.EXACTLY_ONCE);
            third.open("out-" + topic);
            assertThatThrownBy(() -> {
                second.writePartition(4000, 1, b4.get(1).iterator());
                second.commit(4000);
            }).isInstanceOf(SluiceException.class).hasMessageContaining("out-" + topic);
            second.abort(4000, new IllegalStateException("fenced"));
            assertThat(third.isCommitted(4000)).isFalse();
            assertThat(drive(third, 4000, b4, true, pool)).isTrue();
            b4.forEach(expected::addAll);

            // Batch 5000 fails mid-partition: aborted, then redone.
            List<List<String>> b5 = batch(5000, random, 3);
            third.begin(5000, false);
            third.writePartition(5000, 0, b5.get(0).iterator());
            Exception failure = new IllegalStateException("task failed");
            third.abort(5000, failure);
            assertThat(drive(third, 5000, b5, false, pool)).isTrue();
            b5.forEach(expected::addAll);
            third.close();
            second.close();

            List<String> seen = broker.readAllValues(topic, true);
            assertThat(counts(seen)).as("read_committed values, seed %s", seed).isEqualTo(counts(expected));
            assertThat(broker.readAllValues(topic, false).size()).as("aborted records stay in the log, seed %s", seed)
                    .isGreaterThan(seen.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void atLeastOnce_replayWritesAgain_everyRecordAtLeastOnce() throws Exception {
        long seed = 77;
        Random random = new Random(seed);
        String topic = EmbeddedKafkaBroker.uniqueTopic("sink-alo");
        broker.createTopic(topic, 2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            KafkaSink<String, String, String> sink = sink(topic, DeliveryGuarantee.AT_LEAST_ONCE);
            sink.open("alo-" + topic);
            List<List<String>> b1 = batch(1000, random, 2);
            assertThat(drive(sink, 1000, b1, false, pool)).isTrue();
            assertThat(sink.isCommitted(1000)).isFalse();
            assertThat(drive(sink, 1000, b1, true, pool)).isTrue();
            sink.close();

            Map<String, Long> expected = new HashMap<>();
            b1.forEach(p -> p.forEach(v -> expected.put(v, 2L)));
            assertThat(counts(broker.readAllValues(topic, true))).as("seed %s", seed).isEqualTo(expected);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void protocolMisuse_namesTheProblem() {
        KafkaSink<String, String, String> sink = sink("t", DeliveryGuarantee.EXACTLY_ONCE);
        assertThatThrownBy(() -> sink.begin(1, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not open");
        assertThatThrownBy(() -> KafkaSink.of("t", Map.of(), v -> v, v -> v, DeliveryGuarantee.EXACTLY_ONCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap.servers");
    }
}
