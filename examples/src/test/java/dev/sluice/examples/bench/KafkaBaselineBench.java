package dev.sluice.examples.bench;

import dev.sluice.kafka.DeliveryGuarantee;
import dev.sluice.kafka.OffsetRange;
import dev.sluice.kafka.sink.TransactionalBatchWriter;
import dev.sluice.kafka.source.RangeReader;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka baselines for issue 12, against the in-process single-node KRaft broker (W1, see
 * {@code shared/bench/WORKLOADS.md}). Not a test: a main in the test tree, because the broker is
 * test-only.
 *
 * <ul>
 *   <li>{@code pollLoop}: a plain {@code KafkaConsumer} poll loop doing W1's word count (one thread,
 *       {@code HashMap.merge}) over each batch's records: the figure the direct stream will be held
 *       to (&ge; 0.7&times;). The topic has 2 partitions; batch {@code b}'s lines are partition
 *       {@code p} of batch {@code b} per WORKLOADS.md, produced once (K distinct batches, read
 *       cyclically). Lines per second = N / median batch time.</li>
 *   <li>{@code rangeReader}: the same count reading each batch's two offset ranges through Sluice's
 *       {@code RangeReader} (what one direct-stream task per partition will do, here on one thread).</li>
 *   <li>{@code sink}: each W1 batch's output (distinct word, count) written as one batch by the
 *       {@code TransactionalBatchWriter}, exactly-once (one transaction) versus at-least-once
 *       (idempotent producer), interleaved rounds; the ratio of medians is the transaction's cost.</li>
 * </ul>
 *
 * <p>Command (from the repository root):
 * <pre>{@code
 * mvn -B -q -o -pl examples -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java -Xmx4g -cp examples/target/test-classes:examples/target/classes:$(cat examples/target/test-classpath.txt) \
 *     dev.sluice.examples.bench.KafkaBaselineBench --lines 100000 --warmup 3 --batches 10
 * }</pre>
 */
public final class KafkaBaselineBench {

    private static final int PARTITIONS = 2;

    private KafkaBaselineBench() {
    }

    public static void main(String[] args) throws Exception {
        Sizes sizes = Sizes.of(args);
        int n = sizes.lines();
        int warmup = sizes.warmup();
        int measured = sizes.measured();
        int k = Math.min(WorkloadData.pregeneratedBatches(n), warmup + measured);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String topic = "w1";
            broker.createTopic(topic, PARTITIONS);
            List<List<OffsetRange>> ranges = produce(broker, topic, n, k);
            List<Long> expected = new ArrayList<>();
            for (int b = 0; b < k; b++) {
                expected.add(Baselines.singleThread(WorkloadData.batch(b, n)));
            }
            Properties consumer = broker.stringConsumerProperties();
            consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            consumer.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
            List<Double> poll = new ArrayList<>();
            List<Double> reader = new ArrayList<>();
            try (KafkaConsumer<String, String> plain = new KafkaConsumer<>(consumer);
                    RangeReader<String, String> rangeReader = new RangeReader<>(consumer)) {
                for (int j = 0; j < warmup + measured; j++) {
                    List<OffsetRange> batch = ranges.get(j % k);
                    long want = expected.get(j % k);
                    // Alternate which loop goes first, so drift on a shared machine hits both alike.
                    boolean pollFirst = j % 2 == 0;
                    double a = pollFirst ? time(() -> check(pollLoop(plain, batch), want)) : 0;
                    double b = time(() -> check(rangeReaderCount(rangeReader, batch), want));
                    if (!pollFirst) {
                        a = time(() -> check(pollLoop(plain, batch), want));
                    }
                    if (j >= warmup) {
                        poll.add(a);
                        reader.add(b);
                    }
                }
            }
            report("pollLoop", n, poll, expected);
            report("rangeReader", n, reader, expected);
            sinkOverhead(broker, n, warmup, measured, k);
        }
    }

    /** Produces K batches, partition p of batch b to partition p; returns each batch's ranges. */
    static List<List<OffsetRange>> produce(EmbeddedKafkaBroker broker, String topic, int n, int k) {
        List<List<OffsetRange>> ranges = new ArrayList<>();
        long[] next = new long[PARTITIONS];
        long started = System.nanoTime();
        try (KafkaProducer<String, String> producer = bulkProducer(broker)) {
            for (int b = 0; b < k; b++) {
                List<OffsetRange> batch = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    List<String> lines = WorkloadData.partitionOfBatch(b, n, p, PARTITIONS);
                    for (String line : lines) {
                        producer.send(new ProducerRecord<>(topic, p, null, line));
                    }
                    batch.add(new OffsetRange(topic, p, next[p], next[p] + lines.size()));
                    next[p] += lines.size();
                }
                ranges.add(batch);
            }
        }
        System.err.printf("produced %d batches of %d lines in %.1f s%n", k, n, (System.nanoTime() - started) / 1e9);
        return ranges;
    }

    private static KafkaProducer<String, String> bulkProducer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(producerProperties(broker));
    }

    static Properties producerProperties(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    /** The plain loop: assign, seek each partition to its range start, poll until every range's end. */
    static long pollLoop(KafkaConsumer<String, String> consumer, List<OffsetRange> batch) {
        List<TopicPartition> partitions = batch.stream().map(OffsetRange::topicPartition).toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> until = new HashMap<>();
        for (OffsetRange r : batch) {
            consumer.seek(r.topicPartition(), r.fromOffset());
            until.put(r.topicPartition(), r.untilOffset());
        }
        Map<String, Integer> counts = new HashMap<>();
        int done = 0;
        while (done < partitions.size()) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.offset() < until.get(new TopicPartition(r.topic(), r.partition()))) {
                    Baselines.forEachWord(r.value(), w -> counts.merge(w, 1, Integer::sum));
                }
            }
            done = 0;
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp) >= until.get(tp)) {
                    consumer.pause(List.of(tp));
                    done++;
                }
            }
        }
        consumer.resume(partitions);
        return counts.size();
    }

    static long rangeReaderCount(RangeReader<String, String> reader, List<OffsetRange> batch) {
        Map<String, Integer> counts = new HashMap<>();
        for (OffsetRange r : batch) {
            reader.read(r, rec -> Baselines.forEachWord(rec.value(), w -> counts.merge(w, 1, Integer::sum)));
        }
        return counts.size();
    }

    private static void sinkOverhead(EmbeddedKafkaBroker broker, int n, int warmup, int measured, int k) {
        Map<DeliveryGuarantee, List<Double>> millis = new LinkedHashMap<>();
        Map<DeliveryGuarantee, TransactionalBatchWriter<String, String>> writers = new LinkedHashMap<>();
        List<List<ProducerRecord<String, String>>> outputs = new ArrayList<>();
        for (DeliveryGuarantee g : DeliveryGuarantee.values()) {
            String topic = "w1-out-" + g.name().toLowerCase(java.util.Locale.ROOT);
            broker.createTopic(topic, PARTITIONS);
            Properties p = producerProperties(broker);
            writers.put(g, new TransactionalBatchWriter<>("bench-" + g.name().toLowerCase(java.util.Locale.ROOT), topic, p, g));
            millis.put(g, new ArrayList<>());
        }
        for (int b = 0; b < k; b++) {
            Map<String, Integer> counts = new HashMap<>();
            WorkloadData.batch(b, n).forEach(l -> Baselines.forEachWord(l, w -> counts.merge(w, 1, Integer::sum)));
            List<ProducerRecord<String, String>> out = new ArrayList<>();
            counts.forEach((w, c) -> out.add(new ProducerRecord<>("", w, Integer.toString(c))));
            outputs.add(out);
        }
        long recordsPerBatch = 0;
        for (int j = 0; j < warmup + measured; j++) {
            List<DeliveryGuarantee> order = j % 2 == 0 ? List.of(DeliveryGuarantee.values())
                    : List.of(DeliveryGuarantee.AT_LEAST_ONCE, DeliveryGuarantee.EXACTLY_ONCE);
            for (DeliveryGuarantee g : order) {
                TransactionalBatchWriter<String, String> writer = writers.get(g);
                String topic = "w1-out-" + g.name().toLowerCase(java.util.Locale.ROOT);
                List<ProducerRecord<String, String>> records = outputs.get(j % k).stream()
                        .map(r -> new ProducerRecord<>(topic, r.key(), r.value())).toList();
                recordsPerBatch = records.size();
                long batchId = (j + 1) * 1000L;
                double ms = time(() -> {
                    writer.write(batchId, records, null);
                    return 0L;
                });
                if (j >= warmup) {
                    millis.get(g).add(ms);
                }
            }
        }
        writers.values().forEach(TransactionalBatchWriter::close);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("workload", "W1-sink");
        fields.put("recordsPerBatchApprox", recordsPerBatch);
        fields.put("measuredBatches", measured);
        millis.forEach((g, m) -> fields.put(g.name(), BenchReport.procMs(m)));
        fields.put("exactlyOnceOverAtLeastOnceMedian", BenchReport.round3(
                BenchReport.percentile(millis.get(DeliveryGuarantee.EXACTLY_ONCE), 0.5)
                        / BenchReport.percentile(millis.get(DeliveryGuarantee.AT_LEAST_ONCE), 0.5)));
        fields.put("peakRssMiB", BenchReport.peakRssMiB());
        fields.put("jvmFlags", BenchReport.jvmFlags());
        System.out.println(BenchReport.Json.write(fields));
    }

    interface Timed {
        long run() throws Exception;
    }

    static double time(Timed body) {
        long start = System.nanoTime();
        try {
            body.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    static long check(long got, long want) {
        if (got != want) {
            throw new IllegalStateException("W1 count " + got + " differs from the plain-Java count " + want);
        }
        return got;
    }

    private static void report(String mode, int n, List<Double> millis, List<Long> counts) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("workload", "W1");
        fields.put("mode", mode);
        fields.put("linesPerBatch", n);
        fields.put("measuredBatches", millis.size());
        fields.put("procMs", BenchReport.procMs(millis));
        fields.put("linesPerSecMedian", Math.round(n / (BenchReport.percentile(millis, 0.5) / 1000)));
        fields.put("outputCounts", counts);
        fields.put("peakRssMiB", BenchReport.peakRssMiB());
        fields.put("jvmFlags", BenchReport.jvmFlags());
        System.out.println(BenchReport.Json.write(fields));
    }

    /** The common options of the Kafka benchmarks: {@code --lines N --warmup W --batches M}. */
    record Sizes(int lines, int warmup, int measured) {
        static Sizes of(String[] args) {
            Map<String, String> opts = options(args);
            return new Sizes(Integer.parseInt(opts.getOrDefault("lines", "100000")),
                    Integer.parseInt(opts.getOrDefault("warmup", "3")),
                    Integer.parseInt(opts.getOrDefault("batches", "10")));
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return opts;
    }
}
