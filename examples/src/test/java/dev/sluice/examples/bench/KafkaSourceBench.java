package dev.sluice.examples.bench;

import dev.sluice.core.Pair;
import dev.sluice.kafka.DeliveryGuarantee;
import dev.sluice.kafka.KafkaInputs;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSink;
import dev.sluice.kafka.KafkaSourceOptions;
import dev.sluice.kafka.OffsetRange;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 12's Kafka figures against the in-process KRaft broker (W1 of {@code shared/bench/WORKLOADS.md},
 * lines as record values, 2 partitions). A main in the test tree, because the broker is test-only.
 *
 * <ul>
 *   <li>{@code directStream}: {@code KafkaInputs.directStream} → words → (word, 1) →
 *       {@code reduceByKey} → count, one batch per produced W1 batch of N lines (the rate cap is
 *       N / 2 per partition per 1 s batch, so batch j reads exactly produced batch j), under the test
 *       kit's manual clock; the time of a batch is the wall time of {@code kit.run(1)}: planning
 *       (offsets from the broker, lag), reading both ranges in two tasks and the word count.</li>
 *   <li>{@code pollLoop}: a plain {@code KafkaConsumer} poll loop doing the same count of the same
 *       offsets on one thread ({@link KafkaBaselineBench#pollLoop}), interleaved per batch with the
 *       stream (alternating order). Both outputs are checked against the plain-Java count of the
 *       batch. Target: directStream ≥ 0.7× the loop's lines per second (ratio of medians).</li>
 *   <li>{@code sink}: each batch's W1 output (distinct word, count) through {@code KafkaSink}, driven
 *       as the engine's {@code TransactionalSink} protocol (isCommitted, begin, two partitions written
 *       concurrently, commit), exactly once versus at least once, interleaved.</li>
 * </ul>
 *
 * <p>Command (from the repository root):
 * <pre>{@code
 * mvn -B -q -o -pl examples -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java -Xmx4g -cp examples/target/test-classes:examples/target/classes:$(cat examples/target/test-classpath.txt) \
 *     dev.sluice.examples.bench.KafkaSourceBench --lines 100000 --warmup 3 --batches 10
 * }</pre>
 */
public final class KafkaSourceBench {
    private static final int PARTITIONS = 2;

    private KafkaSourceBench() {
    }

    public static void main(String[] args) throws Exception {
        KafkaBaselineBench.Sizes sizes = KafkaBaselineBench.Sizes.of(args);
        int n = sizes.lines();
        int warmup = sizes.warmup();
        int measured = sizes.measured();
        int total = warmup + measured;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String topic = "w1";
            broker.createTopic(topic, PARTITIONS);
            List<List<OffsetRange>> ranges = KafkaBaselineBench.produce(broker, topic, n, total);
            List<Long> expected = new ArrayList<>();
            for (int b = 0; b < total; b++) {
                expected.add(Baselines.singleThread(WorkloadData.batch(b, n)));
            }
            source(broker, topic, n, warmup, ranges, expected);
            sink(broker, n, warmup, measured);
        }
    }

    private static void source(EmbeddedKafkaBroker broker, String topic, int n, int warmup,
            List<List<OffsetRange>> ranges, List<Long> expected) {
        Properties consumer = broker.stringConsumerProperties();
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        consumer.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        Map<String, Object> streamConsumer = new HashMap<>();
        consumer.forEach((k, v) -> streamConsumer.put(String.valueOf(k), v));
        Map<Long, Long> streamCounts = new ConcurrentHashMap<>();
        List<Double> loop = new ArrayList<>();
        List<Double> stream = new ArrayList<>();
        List<Double> processing = new ArrayList<>();
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(2)
                .webUi(false).build();
                KafkaConsumer<String, String> plain = new KafkaConsumer<>(consumer)) {
            DStream<KafkaRecord<String, String>> in = KafkaInputs.directStream(kit.context(), streamConsumer,
                    List.of(topic), KafkaSourceOptions.defaults().withMaxRatePerPartition(n / PARTITIONS)
                            .withInitialRatePerPartition(0));
            DStream<String> words = in.mapMulti((r, out) -> Baselines.forEachWord(r.value(), out));
            PairDStream.of(words.mapToPair(w -> Pair.of(w, 1))).reduceByKey(Integer::sum, PARTITIONS).count()
                    .foreachBatch((ds, time) -> streamCounts.put(time.millis(), ds.collect().get(0)));
            for (int j = 0; j < ranges.size(); j++) {
                List<OffsetRange> batch = ranges.get(j);
                long want = expected.get(j);
                long batchMillis = (j + 1) * 1000L;
                boolean loopFirst = j % 2 == 0;
                double a = loopFirst ? KafkaBaselineBench.time(
                        () -> KafkaBaselineBench.check(KafkaBaselineBench.pollLoop(plain, batch), want)) : 0;
                double b = KafkaBaselineBench.time(() -> {
                    kit.run(1);
                    return KafkaBaselineBench.check(streamCounts.get(batchMillis), want);
                });
                if (!loopFirst) {
                    a = KafkaBaselineBench.time(
                            () -> KafkaBaselineBench.check(KafkaBaselineBench.pollLoop(plain, batch), want));
                }
                if (j >= warmup) {
                    loop.add(a);
                    stream.add(b);
                    BatchInfo info = kit.batchInfos().get(j);
                    processing.add(info.processingTime().toNanos() / 1e6);
                }
            }
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("workload", "W1-kafka-source");
        fields.put("linesPerBatch", n);
        fields.put("measuredBatches", loop.size());
        fields.put("pollLoopMs", BenchReport.procMs(loop));
        fields.put("directStreamRunMs", BenchReport.procMs(stream));
        fields.put("directStreamProcessingMs", BenchReport.procMs(processing));
        double loopMedian = BenchReport.percentile(loop, 0.5);
        double streamMedian = BenchReport.percentile(stream, 0.5);
        fields.put("pollLoopLinesPerSecMedian", Math.round(n / (loopMedian / 1000)));
        fields.put("directStreamLinesPerSecMedian", Math.round(n / (streamMedian / 1000)));
        fields.put("directStreamOverPollLoop", BenchReport.round3(loopMedian / streamMedian));
        fields.put("outputCounts", expected);
        fields.put("peakRssMiB", BenchReport.peakRssMiB());
        fields.put("jvmFlags", BenchReport.jvmFlags());
        System.out.println(BenchReport.Json.write(fields));
    }

    /** Returns W1 batch {@code b}'s output: each distinct word of its {@code n} lines with its count. */
    static Map<String, Integer> w1Counts(int n, int b) {
        Map<String, Integer> counts = new HashMap<>();
        WorkloadData.batch(b, n).forEach(l -> Baselines.forEachWord(l, w -> counts.merge(w, 1, Integer::sum)));
        return counts;
    }

    private static void sink(EmbeddedKafkaBroker broker, int n, int warmup, int measured) throws Exception {
        int k = Math.min(WorkloadData.pregeneratedBatches(n), warmup + measured);
        List<List<List<Pair<String, Integer>>>> outputs = new ArrayList<>();
        for (int b = 0; b < k; b++) {
            Map<String, Integer> counts = w1Counts(n, b);
            List<List<Pair<String, Integer>>> parts = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                parts.add(new ArrayList<>());
            }
            counts.forEach((w, c) -> parts.get(Math.floorMod(w.hashCode(), PARTITIONS)).add(Pair.of(w, c)));
            outputs.add(parts);
        }
        Map<DeliveryGuarantee, KafkaSink<Pair<String, Integer>, String, String>> sinks = new LinkedHashMap<>();
        Map<DeliveryGuarantee, List<Double>> millis = new LinkedHashMap<>();
        for (DeliveryGuarantee g : DeliveryGuarantee.values()) {
            String topic = "w1-sink-" + g.name().toLowerCase(java.util.Locale.ROOT);
            broker.createTopic(topic, PARTITIONS);
            Map<String, Object> p = Map.of("bootstrap.servers", broker.bootstrapServers(), "linger.ms", "5",
                    "batch.size", "262144", "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", StringSerializer.class.getName());
            KafkaSink<Pair<String, Integer>, String, String> sink = KafkaSink.of(topic, p, Pair::key,
                    c -> Integer.toString(c.value()), g);
            sink.open("bench-" + topic);
            sinks.put(g, sink);
            millis.put(g, new ArrayList<>());
        }
        ExecutorService pool = Executors.newFixedThreadPool(PARTITIONS);
        try {
            for (int j = 0; j < warmup + measured; j++) {
                List<DeliveryGuarantee> order = j % 2 == 0 ? List.of(DeliveryGuarantee.values())
                        : List.of(DeliveryGuarantee.AT_LEAST_ONCE, DeliveryGuarantee.EXACTLY_ONCE);
                List<List<Pair<String, Integer>>> parts = outputs.get(j % k);
                long batchId = (j + 1) * 1000L;
                for (DeliveryGuarantee g : order) {
                    KafkaSink<Pair<String, Integer>, String, String> sink = sinks.get(g);
                    double ms = KafkaBaselineBench.time(() -> {
                        if (!sink.isCommitted(batchId)) {
                            sink.begin(batchId, false);
                            List<Future<?>> tasks = new ArrayList<>();
                            for (int p = 0; p < PARTITIONS; p++) {
                                int partition = p;
                                tasks.add(pool.submit(() -> {
                                    sink.writePartition(batchId, partition, parts.get(partition).iterator());
                                    return null;
                                }));
                            }
                            for (Future<?> t : tasks) {
                                t.get();
                            }
                            sink.commit(batchId);
                        }
                        return 0L;
                    });
                    if (j >= warmup) {
                        millis.get(g).add(ms);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            for (KafkaSink<?, ?, ?> s : sinks.values()) {
                s.close();
            }
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("workload", "W1-kafka-sink");
        fields.put("recordsPerBatchApprox", outputs.get(0).stream().mapToInt(List::size).sum());
        fields.put("measuredBatches", measured);
        millis.forEach((g, m) -> fields.put(g.name(), BenchReport.procMs(m)));
        fields.put("exactlyOnceOverAtLeastOnceMedian", BenchReport.round3(
                BenchReport.percentile(millis.get(DeliveryGuarantee.EXACTLY_ONCE), 0.5)
                        / BenchReport.percentile(millis.get(DeliveryGuarantee.AT_LEAST_ONCE), 0.5)));
        System.out.println(BenchReport.Json.write(fields));
    }
}
