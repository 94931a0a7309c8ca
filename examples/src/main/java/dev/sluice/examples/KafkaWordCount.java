package dev.sluice.examples;

import dev.sluice.core.Pair;
import dev.sluice.examples.bench.WorkloadData;
import dev.sluice.kafka.DeliveryGuarantee;
import dev.sluice.kafka.KafkaInputs;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSink;
import dev.sluice.kafka.KafkaSourceOptions;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.MapWithStateDStream;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.StreamingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Running word counts of a Kafka topic's lines, read by the direct stream (offsets in the
 * checkpoint), written exactly once to an output topic by the transactional {@code KafkaSink}:
 * each batch's updated (word, total) pairs, one Kafka transaction per batch.
 *
 * <pre>
 * java -jar sluice-examples.jar kafka-word-count [options]
 *   --bootstrap-servers H:P  the Kafka cluster (default: start an in-process single-node broker and
 *                            feed the topic with the benchmark's generated lines)
 *   --topic T                the topic of lines (default "lines")
 *   --output-topic T         where the counts go (default "word-counts"); must exist on a real cluster
 *   --lines-per-second N     rate of the in-process feeder (default 20000)
 *   --max-rate-per-partition N  records per second per partition (default: no limit)
 *   --batch-seconds N        batch interval (default 1)
 *   --seconds N              stop after N seconds (default: run until killed)
 *   --checkpoint-dir URI     where checkpoints go (default: a new temporary directory); the program
 *                            resumes from the checkpoint there
 * </pre>
 *
 * <p>{@code writeTransactionally} hands the sink to the engine, which drives its protocol with the
 * batch time as the batch id; a batch committed to Kafka before a crash is not written again.
 */
public final class KafkaWordCount {
    private KafkaWordCount() {
    }

    /** Runs the program until it is killed or {@code --seconds} pass. */
    public static void main(String[] argv) throws Exception {
        Args args = Args.parse("kafka-word-count", argv, DemoUi.withOptions(Set.of("bootstrap-servers", "topic",
                "output-topic", "lines-per-second", "max-rate-per-partition", "batch-seconds", "seconds",
                "checkpoint-dir")));
        String topic = args.string("topic", "lines");
        String output = args.string("output-topic", "word-counts");
        String checkpointDir = LineInput.checkpointDir(args, "kafka-word-count");
        EmbeddedKafkaBroker broker = null;
        Feeder feeder = null;
        String servers = args.string("bootstrap-servers", null);
        if (servers == null) {
            broker = EmbeddedKafkaBroker.start();
            broker.createTopic(topic, 2);
            broker.createTopic(output, 2);
            servers = broker.bootstrapServers();
            feeder = new Feeder(servers, topic, args.integer("lines-per-second", 20_000));
            feeder.start();
            System.out.printf("in-process Kafka broker at %s; topic %s fed at %d lines/s%n", servers, topic,
                    args.integer("lines-per-second", 20_000));
        }
        String bootstrap = servers;
        try (StreamingContext ssc = StreamingContext.getOrCreate(checkpointDir,
                () -> define(args, bootstrap, topic, output, checkpointDir))) {
            ssc.start();
            DemoUi.printUrl(ssc);
            System.out.println(ssc.recoveryReport().map(r -> "resumed: " + r.describe())
                    .orElse("fresh start: no checkpoint in " + checkpointDir));
            int seconds = args.integer("seconds", 0);
            if (seconds > 0) {
                ssc.awaitTerminationOrTimeout(Duration.ofSeconds(seconds));
                ssc.stop(true);
            } else {
                ssc.awaitTermination();
            }
        } finally {
            if (feeder != null) {
                feeder.shutdown();
                feeder.join(10_000);
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static StreamingContext define(Args args, String servers, String topic, String output,
            String checkpointDir) {
        Duration batch = Duration.ofSeconds(args.integer("batch-seconds", 1));
        StreamingContext ssc = DemoUi.apply(args, StreamingContext.builder().appName("kafka-word-count")
                .batchInterval(batch).checkpointDir(checkpointDir)).build();
        Map<String, Object> consumer = Map.of("bootstrap.servers", servers, "group.id", "kafka-word-count",
                "isolation.level", "read_committed",
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName());
        DStream<KafkaRecord<String, String>> lines = KafkaInputs.<String, String>directStream(ssc, consumer,
                List.of(topic), KafkaSourceOptions.defaults()
                        .withMaxRatePerPartition(args.integer("max-rate-per-partition", 0))).uid("lines");
        MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts = lines
                .flatMap(r -> List.of(r.value().split(" ")))
                .filter(word -> !word.isEmpty())
                .mapToPair(word -> Pair.of(word, 1))
                .reduceByKey(Integer::sum) // one update per word and batch, not one per occurrence
                .mapWithState(StateSpec.function(KafkaWordCount::count)).uid("word-counts");
        counts.checkpoint(batch.multipliedBy(5));
        KafkaSink<Pair<String, Long>, String, String> sink = KafkaSink.of(output, Map.of("bootstrap.servers",
                servers, "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName(), "linger.ms", "5"),
                Pair::key, c -> Long.toString(c.value()), DeliveryGuarantee.EXACTLY_ONCE);
        // The engine drives the sink: a batch this output committed (in its commit log, or in Kafka by
        // its batch marker) is skipped on replay; otherwise begin, one write task per partition, commit.
        counts.writeTransactionally(sink).uid("kafka-word-count-out");
        counts.foreachBatch((ds, time) -> {
            List<Pair<String, Long>> updated = ds.collect();
            System.out.printf("batch %d ms: %d words updated, written to %s; top 10: %s%n", time.millis(),
                    updated.size(), output, TopWords.of(updated.iterator(), 10));
        }).atLeastOnce(); // the console may show a replayed batch twice
        return ssc;
    }

    private static Pair<String, Long> count(String word, Optional<Integer> inBatch, State<Long> state) {
        long total = state.toOptional().orElse(0L) + inBatch.orElse(0);
        state.update(total);
        return Pair.of(word, total);
    }

    /** Feeds the topic with the benchmark's generated lines at a steady rate (in-process broker only). */
    private static final class Feeder extends Thread {
        private final String servers;
        private final String topic;
        private final int linesPerSecond;
        private volatile boolean stopped;

        Feeder(String servers, String topic, int linesPerSecond) {
            super("kafka-word-count-feeder");
            setDaemon(true);
            this.servers = servers;
            this.topic = topic;
            this.linesPerSecond = Math.max(1, linesPerSecond);
        }

        void shutdown() {
            stopped = true;
        }

        @Override
        public void run() {
            Map<String, Object> p = Map.of("bootstrap.servers", servers, "linger.ms", "5",
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                long next = 0;
                long start = System.nanoTime();
                while (!stopped) {
                    long due = (System.nanoTime() - start) / 1_000_000 * linesPerSecond / 1000;
                    for (; next < due; next++) {
                        producer.send(new ProducerRecord<>(topic, WorkloadData.line(next)));
                    }
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
