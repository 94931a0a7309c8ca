package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Recovery of a direct stream from the metadata checkpoint after a crash inside a batch, into an
 * upgraded program (a stateless map added): the crashed batch is read again with exactly the
 * offsets it had (even though records arrived while the program was down), the checkpoint's
 * offsets win over the new run's starting offsets, and the running word counts equal plain Java's
 * over every record produced: each record counted exactly once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaRecoveryIT {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static EmbeddedKafkaBroker broker;
    private static KafkaProducer<String, String> producer;

    @TempDir
    Path tempDir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.shared();
        producer = broker.stringProducer();
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    /** The program; {@code upgraded} adds a stateless map, {@code seen} gets each batch's record positions. */
    private static BatchOutput<Pair<String, Integer>> pipeline(StreamingTestKit kit, String topic, boolean upgraded,
            StartingOffsets start, long crashAt, Map<Long, List<String>> seen) {
        DStream<KafkaRecord<String, String>> in = KafkaInputs.<String, String>directStream(kit.context(),
                broker.stringConsumerMap(null), List.of(topic), KafkaSourceOptions.defaults()
                        .withStartingOffsets(start).withInitialRatePerPartition(0)).uid("lines");
        in.foreachBatch((ds, t) -> {
            seen.put(t.millis(), ds.map(r -> r.partition() + "@" + r.offset()).collect());
            if (t.millis() == crashAt) {
                kit.crash();
            }
        });
        DStream<String> lines = in.map(KafkaRecord::value);
        if (upgraded) {
            lines = lines.map(String::strip);
        }
        PairDStream<String, Integer> counts = PairDStream.of(lines.flatMap(l -> List.of(l.split(" ")))
                        .mapToPair(w -> Pair.of(w, 1)))
                .updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                        Optional.of(s.orElse(0) + vs.stream().mapToInt(Integer::intValue).sum()))
                .uid("counts");
        counts.checkpoint(Duration.ofSeconds(2));
        return kit.collect(counts);
    }

    private static void produce(String topic, Random random, List<String> all) {
        int n = random.nextInt(60);
        for (int i = 0; i < n; i++) {
            StringBuilder line = new StringBuilder();
            for (int w = random.nextInt(5); w >= 0; w--) {
                line.append(line.length() == 0 ? "" : " ").append("w").append(random.nextInt(12));
            }
            producer.send(new ProducerRecord<>(topic, random.nextInt(2), null, line.toString()));
            all.add(line.toString());
        }
        producer.flush();
    }

    private static Map<String, Integer> reference(List<String> lines) {
        return lines.stream().flatMap(l -> java.util.Arrays.stream(l.split(" ")))
                .collect(Collectors.toMap(w -> w, w -> 1, Integer::sum, TreeMap::new));
    }

    @ParameterizedTest(name = "crash in batch {0}, seed {1}")
    @CsvSource({"3, 41", "5, 42"})
    void crashInsideABatch_upgradedProgramResumes_crashedBatchSameOffsets_countsExactlyOnce(int crashBatch, long seed) {
        Random random = new Random(seed);
        String topic = EmbeddedKafkaBroker.uniqueTopic("recover");
        broker.createTopic(topic, 2);
        String dir = tempDir.resolve("ckpt").toUri().toString();
        List<String> produced = new ArrayList<>();
        Map<Long, List<String>> seen1 = new ConcurrentHashMap<>();
        Map<Long, List<String>> seen2 = new ConcurrentHashMap<>();
        long crashAt = crashBatch * INTERVAL.toMillis();

        StreamingTestKit first = StreamingTestKit.builder().batchInterval(INTERVAL).checkpointDir(dir).build();
        pipeline(first, topic, false, StartingOffsets.earliest(), crashAt, seen1);
        for (int b = 1; b <= crashBatch && !first.isCrashed(); b++) {
            produce(topic, random, produced);
            first.run(1);
        }
        assertThat(first.isCrashed()).isTrue();
        first.close();
        produce(topic, random, produced); // arrives while the program is down

        Map<String, Integer> last;
        try (StreamingTestKit second = StreamingTestKit.builder().batchInterval(INTERVAL).checkpointDir(dir).build()) {
            BatchOutput<Pair<String, Integer>> out = pipeline(second, topic, true, StartingOffsets.latest(), -1, seen2);
            second.run(1); // the crashed batch again
            for (int b = 0; b < 3; b++) {
                produce(topic, random, produced);
                second.run(1);
            }
            assertThat(second.context().recoveryReport()).isPresent();
            assertThat(out.times().get(0).millis()).isEqualTo(crashAt);
            last = new TreeMap<>();
            for (Pair<String, Integer> p : out.batch(out.size() - 1)) {
                last.put(p.key(), p.value());
            }
        }
        assertThat(seen2.get(crashAt)).as("seed %s: the crashed batch re-reads its offsets", seed)
                .containsExactlyInAnyOrderElementsOf(seen1.get(crashAt));
        List<String> positions = new ArrayList<>();
        seen1.forEach((t, list) -> {
            if (t < crashAt) {
                positions.addAll(list);
            }
        });
        seen2.forEach((t, list) -> {
            if (t >= crashAt) {
                positions.addAll(list);
            }
        });
        assertThat(positions).as("seed %s: every record read once", seed).doesNotHaveDuplicates()
                .hasSize(produced.size());
        assertThat(last).as("seed %s: running counts, plain Java", seed).isEqualTo(reference(produced));
    }
}
