package dev.sluice.examples.bench;

import dev.sluice.core.Pair;
import dev.sluice.kafka.DeliveryGuarantee;
import dev.sluice.kafka.KafkaSink;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka sink's cost through the engine: W1's per-batch output (each distinct word of N lines
 * with its count, about 80,800 records at N = 100,000) written by {@code DStream.writeTransactionally}
 * with {@code KafkaSink} in {@code EXACTLY_ONCE} and in {@code AT_LEAST_ONCE} mode, next to a
 * {@code none} pipeline that only counts the same batches. Three test kits (manual clock, each
 * with a checkpoint directory so the output commit log is written, as in production), fed the same
 * batches, run one batch each in turn (the order rotates per batch); a batch's time is the wall
 * time of {@code kit.run(1)}. At the end a {@code read_committed} consumer must read every record
 * of each topic (once for exactly-once).
 *
 * <p>Command (from the repository root):
 * <pre>{@code
 * mvn -B -q -o -pl examples -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java -Xmx4g -cp examples/target/test-classes:examples/target/classes:$(cat examples/target/test-classpath.txt) \
 *     dev.sluice.examples.bench.KafkaSinkBench --lines 100000 --warmup 3 --batches 10
 * }</pre>
 */
public final class KafkaSinkBench {
    private static final int PARTITIONS = 2;
    private static final String NONE = "none";

    private KafkaSinkBench() {
    }

    public static void main(String[] args) throws Exception {
        KafkaBaselineBench.Sizes sizes = KafkaBaselineBench.Sizes.of(args);
        int total = sizes.warmup() + sizes.measured();
        int k = Math.min(WorkloadData.pregeneratedBatches(sizes.lines()), total);
        List<List<Pair<String, Integer>>> batches = new ArrayList<>();
        long records = 0;
        for (int b = 0; b < total; b++) {
            List<Pair<String, Integer>> batch = new ArrayList<>();
            KafkaSourceBench.w1Counts(sizes.lines(), b % k).forEach((w, c) -> batch.add(Pair.of(w, c)));
            batches.add(batch);
            records += batch.size();
        }
        Path dir = Files.createTempDirectory("kafka-sink-bench");
        Map<String, StreamingTestKit> kits = new LinkedHashMap<>();
        Map<String, List<Double>> millis = new LinkedHashMap<>();
        AtomicLong counted = new AtomicLong();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            for (String mode : List.of(NONE, DeliveryGuarantee.EXACTLY_ONCE.name(), DeliveryGuarantee.AT_LEAST_ONCE.name())) {
                StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(2)
                        .webUi(false).checkpointDir(dir.resolve(mode).toUri().toString()).build();
                DStream<Pair<String, Integer>> in = kit.input(batches).uid("w1-output").repartition(PARTITIONS);
                if (mode.equals(NONE)) {
                    in.foreachBatch((ds, time) -> counted.addAndGet(ds.count())).uid("count");
                } else {
                    broker.createTopic(topic(mode), PARTITIONS);
                    Map<String, Object> p = Map.of("bootstrap.servers", broker.bootstrapServers(), "linger.ms", "5",
                            "batch.size", "262144", "key.serializer", StringSerializer.class.getName(),
                            "value.serializer", StringSerializer.class.getName());
                    in.writeTransactionally(KafkaSink.of(topic(mode), p, Pair::key, c -> Integer.toString(c.value()),
                            DeliveryGuarantee.valueOf(mode))).uid("to-" + topic(mode));
                }
                kits.put(mode, kit);
                millis.put(mode, new ArrayList<>());
            }
            List<String> modes = new ArrayList<>(kits.keySet());
            for (int j = 0; j < total; j++) {
                for (int i = 0; i < modes.size(); i++) {
                    String mode = modes.get((i + j) % modes.size());
                    StreamingTestKit kit = kits.get(mode);
                    double ms = KafkaBaselineBench.time(() -> {
                        kit.run(1);
                        return 0L;
                    });
                    if (j >= sizes.warmup()) {
                        millis.get(mode).add(ms);
                    }
                }
            }
            for (StreamingTestKit kit : kits.values()) {
                kit.close();
            }
            KafkaBaselineBench.check(counted.get(), records);
            KafkaBaselineBench.check(broker.readAllValues(topic(DeliveryGuarantee.EXACTLY_ONCE.name()), true).size(),
                    records);
            KafkaBaselineBench.check(broker.readAllValues(topic(DeliveryGuarantee.AT_LEAST_ONCE.name()), true).size(),
                    records);
        }
        double none = BenchReport.percentile(millis.get(NONE), 0.5);
        double eos = BenchReport.percentile(millis.get(DeliveryGuarantee.EXACTLY_ONCE.name()), 0.5);
        double alo = BenchReport.percentile(millis.get(DeliveryGuarantee.AT_LEAST_ONCE.name()), 0.5);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("workload", "W1-kafka-sink-writeTransactionally");
        fields.put("recordsPerBatchApprox", records / total);
        fields.put("measuredBatches", sizes.measured());
        millis.forEach((mode, m) -> fields.put(mode, BenchReport.procMs(m)));
        fields.put("exactlyOnceOverAtLeastOnceMedian", BenchReport.round3(eos / alo));
        fields.put("exactlyOnceSinkMsMedianMinusNone", BenchReport.round3(eos - none));
        fields.put("atLeastOnceSinkMsMedianMinusNone", BenchReport.round3(alo - none));
        fields.put("peakRssMiB", BenchReport.peakRssMiB());
        fields.put("jvmFlags", BenchReport.jvmFlags());
        System.out.println(BenchReport.Json.write(fields));
    }

    private static String topic(String mode) {
        return "w1-sink-" + mode.toLowerCase(Locale.ROOT);
    }
}
