package dev.sluice.checkpoint.kafka;

import dev.sluice.checkpoint.ChildJvm;
import dev.sluice.core.Pair;
import dev.sluice.kafka.DeliveryGuarantee;
import dev.sluice.kafka.KafkaInputs;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSink;
import dev.sluice.kafka.KafkaSourceOptions;
import dev.sluice.kafka.StartingOffsets;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.ManifestFileSink;
import dev.sluice.streaming.MapWithStateDStream;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.StreamingContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The child JVM of {@link KafkaKillNineTest}: per-key counts of a topic's records (key = word) read
 * by the direct stream, kept by {@code mapWithState}, resumed with {@code getOrCreate}. Each batch's
 * updates, as lines {@code batch,word,delta,total}, go through {@code writeTransactionally} to an
 * output topic (exactly-once {@link KafkaSink}, key = word) and to a {@link ManifestFileSink}
 * directory. Arguments: checkpoint URI, bootstrap servers, input topic, output topic, manifest
 * directory URI, marker directory, max records per second per partition. Runs until killed.
 */
public final class KafkaKillNineChild {
    static final Duration INTERVAL = Duration.ofMillis(200);

    private KafkaKillNineChild() {
    }

    public static void main(String[] args) throws Exception {
        String checkpointDir = args[0];
        String servers = args[1];
        String input = args[2];
        String output = args[3];
        String files = args[4];
        Path markers = Path.of(args[5]);
        long rate = Long.parseLong(args[6]);
        StreamingContext ssc = StreamingContext.getOrCreate(checkpointDir, () -> {
            StreamingContext c = StreamingContext.builder().appName("kafka-kill-9-child").batchInterval(INTERVAL)
                    .parallelism(2).webUi(false).checkpointDir(checkpointDir).build();
            Map<String, Object> consumer = Map.of("bootstrap.servers", servers, "isolation.level", "read_committed",
                    "key.deserializer", StringDeserializer.class.getName(),
                    "value.deserializer", StringDeserializer.class.getName());
            DStream<KafkaRecord<String, String>> records = KafkaInputs.<String, String>directStream(c, consumer,
                    List.of(input), KafkaSourceOptions.defaults().withStartingOffsets(StartingOffsets.earliest())
                            .withMaxRatePerPartition(rate).withCommitOffsets(false)).uid("numbers");
            MapWithStateDStream<String, Integer, Long, String> counts = records
                    .mapToPair(r -> Pair.of(r.key(), 1))
                    .reduceByKey(Integer::sum)
                    .mapWithState(StateSpec.function(KafkaKillNineChild::count)).uid("counts");
            counts.checkpoint(INTERVAL.multipliedBy(3));
            DStream<String> updates = counts.transform((ds, time) -> ds.map(u -> time.millis() + "," + u));
            updates.writeTransactionally(KafkaSink.of(output, Map.of("bootstrap.servers", servers,
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", StringSerializer.class.getName(), "linger.ms", "5"),
                    u -> u.split(",")[1], u -> u, DeliveryGuarantee.EXACTLY_ONCE)).uid("to-kafka");
            updates.writeTransactionally(ManifestFileSink.text(files)).uid("to-files");
            return c;
        });
        ssc.start();
        ChildJvm.signalReady(markers);
        ssc.awaitTermination();
    }

    /** Returns {@code word,delta,total} after adding this batch's {@code delta} to the word's total. */
    private static String count(String word, Optional<Integer> delta, State<Long> state) {
        long total = state.toOptional().orElse(0L) + delta.orElse(0);
        state.update(total);
        return word + "," + delta.orElse(0) + "," + total;
    }
}
