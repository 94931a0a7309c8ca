package dev.sluice.peers.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.Optional;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.OutputOperationInfo;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.util.ManualClock;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * The Spark Streaming peer of Sluice's {@code bench receiver-wal}: W1 and W3update fed through a
 * receiver with Spark's receiver write-ahead log off and on, interleaved in one JVM, one
 * StreamingContext (and SparkContext) per run.
 *
 * <p>Same measurement as Sluice's bench: the bench thread stores each batch's pre-generated lines
 * ({@code --store-batch} lines per {@code Receiver.store(Iterator)} call), then advances Spark's
 * manual clock by one batch interval and waits for that batch to complete. Per batch it takes the
 * store time plus Spark's processing delay; per run the median over the measured batches; per
 * configuration the median over rounds. Every batch (warm-up too) is checked against a plain-Java
 * reference: the records the batch received, and its output (distinct words for W1, keys in the
 * state for W3update).
 *
 * <pre>
 * java (add-opens flags) -jar peers/spark-streaming/target/spark-wal-peer.jar [--lines 100000]
 *     [--rounds 3] [--warmup 3] [--batches 8] [--store-batch 1000] [--master local[2]]
 *     [--serializer kryo|java]
 * </pre>
 */
public final class SparkReceiverWalBench {
    private static final long INTERVAL_MS = 1000;
    private static final int PARTITIONS = 2;
    private static final long TIMEOUT_S = 120;
    private static final Set<String> OPTIONS =
            Set.of("lines", "rounds", "warmup", "batches", "store-batch", "master", "serializer");
    /** The output of each batch, by batch time: the count the pipeline's {@code count()} emitted. */
    private static final Map<Long, Long> OUTPUTS = new ConcurrentHashMap<>();

    private SparkReceiverWalBench() {
    }

    /** The bench options after parsing; see the class comment. */
    private record Options(int lines, int rounds, int warmup, int batches, int storeBatch, String master,
            String serializer) {
        static Options parse(String[] argv) {
            Map<String, String> given = new HashMap<>();
            for (int i = 0; i < argv.length; i++) {
                String a = argv[i];
                if (!a.startsWith("--") || !OPTIONS.contains(a.substring(2)) || i + 1 == argv.length) {
                    throw new IllegalArgumentException("bad argument '" + a + "': options are --"
                            + String.join(" VALUE, --", new TreeSet<>(OPTIONS)) + " VALUE");
                }
                given.put(a.substring(2), argv[++i]);
            }
            String serializer = given.getOrDefault("serializer", "kryo");
            if (!serializer.equals("kryo") && !serializer.equals("java")) {
                throw new IllegalArgumentException("--serializer must be kryo or java, got '" + serializer + "'");
            }
            return new Options(positive(given, "lines", 100_000), positive(given, "rounds", 3),
                    nonNegative(given, "warmup", 3), positive(given, "batches", 8),
                    positive(given, "store-batch", 1000), given.getOrDefault("master", "local[2]"), serializer);
        }

        private static int positive(Map<String, String> given, String key, int fallback) {
            int v = nonNegative(given, key, fallback);
            if (v == 0) {
                throw new IllegalArgumentException("--" + key + " must be > 0");
            }
            return v;
        }

        private static int nonNegative(Map<String, String> given, String key, int fallback) {
            String s = given.get(key);
            try {
                int v = s == null ? fallback : Integer.parseInt(s);
                if (v < 0) {
                    throw new IllegalArgumentException("--" + key + " must be >= 0, got " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + " must be an integer, got '" + s + "'", e);
            }
        }
    }

    /** The plain-Java expectations: distinct words per data batch and keys in the state after batch j. */
    private record Reference(int[] distinctPerDataBatch, int[] stateKeysAfter) {
        static Reference of(List<List<String>> data, int totalBatches) {
            int[] distinct = new int[data.size()];
            for (int b = 0; b < data.size(); b++) {
                distinct[b] = words(data.get(b)).size();
            }
            // WORKLOADS.md's check values: the reference itself is checked before it checks Spark.
            if (data.get(0).size() == 100_000 && (distinct[0] != 80_759 || distinct[1] != 80_885)) {
                throw new IllegalStateException("reference drifted from WORKLOADS.md: distinct words in batches 0, 1 "
                        + "are " + distinct[0] + ", " + distinct[1] + ", expected 80759, 80885");
            }
            int[] state = new int[totalBatches];
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < totalBatches; j++) {
                seen.addAll(words(data.get(j % data.size())));
                state[j] = seen.size();
            }
            return new Reference(distinct, state);
        }

        private static Set<String> words(List<String> lines) {
            Set<String> words = new HashSet<>();
            for (String line : lines) {
                split(line).forEachRemaining(words::add);
            }
            return words;
        }

        long expected(String workload, int j) {
            long expected = workload.equals("W1")
                    ? distinctPerDataBatch[j % distinctPerDataBatch.length] : stateKeysAfter[j];
            // -Dpeer.skewReference=N shifts every expectation by N: shows that a mismatch fails the run.
            return expected + Long.getLong("peer.skewReference", 0L);
        }
    }

    /** Completes a future per batch time when Spark reports the batch completed. */
    private static final class Completions implements StreamingListener {
        private final Map<Long, CompletableFuture<BatchInfo>> done = new ConcurrentHashMap<>();

        CompletableFuture<BatchInfo> of(long millis) {
            return done.computeIfAbsent(millis, t -> new CompletableFuture<>());
        }

        @Override
        public void onBatchCompleted(StreamingListenerBatchCompleted completed) {
            of(completed.batchInfo().batchTime().milliseconds()).complete(completed.batchInfo());
        }
    }

    /** The medians of one run, in milliseconds per batch. */
    private record RunMedians(double total, double store, double wall) {
    }

    public static void main(String[] argv) {
        try {
            run(Options.parse(argv));
            System.exit(0);
        } catch (Exception e) {
            System.err.println("spark-wal-peer failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(Options o) throws Exception {
        WorkloadLines generator = new WorkloadLines();
        generator.verify();
        List<List<String>> data = generator.pregenerate(o.lines());
        Reference reference = Reference.of(data, o.warmup() + o.batches());
        Map<String, List<RunMedians>> byConfig = new TreeMap<>();
        for (int r = 0; r < o.rounds(); r++) {
            for (String workload : List.of("W1", "W3update")) {
                // Alternate which goes first, so neither always runs on a warmer machine.
                for (boolean wal : r % 2 == 0 ? List.of(false, true) : List.of(true, false)) {
                    RunMedians m = runOnce(o, workload, wal, r, data, reference);
                    byConfig.computeIfAbsent(workload + (wal ? " wal-on" : " wal-off"), k -> new ArrayList<>())
                            .add(m);
                    System.out.println(new Json().put("engine", "spark-streaming").put("workload", workload)
                            .put("wal", wal).put("round", r).put("medianMsPerBatch", Json.round3(m.total()))
                            .put("medianStoreMsPerBatch", Json.round3(m.store()))
                            .put("medianWallMsPerBatch", Json.round3(m.wall())));
                }
            }
        }
        for (String workload : List.of("W1", "W3update")) {
            List<RunMedians> off = byConfig.get(workload + " wal-off");
            List<RunMedians> on = byConfig.get(workload + " wal-on");
            double offMs = median(off.stream().map(RunMedians::total).toList());
            double onMs = median(on.stream().map(RunMedians::total).toList());
            double offWall = median(off.stream().map(RunMedians::wall).toList());
            double onWall = median(on.stream().map(RunMedians::wall).toList());
            System.out.println(new Json().put("engine", "spark-streaming " + org.apache.spark.package$.MODULE$
                            .SPARK_VERSION()).put("workload", workload).put("mode", "summary")
                    .put("master", o.master()).put("serializer", o.serializer()).put("linesPerBatch", o.lines())
                    .put("storeBatch", o.storeBatch()).put("rounds", o.rounds())
                    .put("walOffMedianMs", Json.round3(offMs)).put("walOnMedianMs", Json.round3(onMs))
                    .put("on/off", Json.round3(onMs / offMs))
                    .put("walOffStoreMs", Json.round3(median(off.stream().map(RunMedians::store).toList())))
                    .put("walOnStoreMs", Json.round3(median(on.stream().map(RunMedians::store).toList())))
                    .put("walOffWallMs", Json.round3(offWall)).put("walOnWallMs", Json.round3(onWall))
                    .put("wall on/off", Json.round3(onWall / offWall)));
        }
    }

    static Iterator<String> split(String line) {
        return Arrays.asList(line.split(" ", -1)).iterator();
    }

    private static Optional<Integer> sum(List<Integer> ones, Optional<Integer> state) {
        return Optional.of(state.orElse(0) + ones.size());
    }

    private static JavaDStream<Long> pipeline(String workload, JavaDStream<String> lines) {
        JavaPairDStream<String, Integer> pairs =
                lines.flatMap(SparkReceiverWalBench::split).mapToPair(w -> new Tuple2<>(w, 1));
        if (workload.equals("W1")) {
            return pairs.reduceByKey(Integer::sum, PARTITIONS).count();
        }
        JavaPairDStream<String, Integer> state = pairs.updateStateByKey(SparkReceiverWalBench::sum, PARTITIONS);
        state.checkpoint(Durations.milliseconds(10 * INTERVAL_MS));
        return state.count();
    }

    private static SparkConf conf(Options o, String workload, boolean wal, Path dir) {
        SparkConf conf = new SparkConf().setMaster(o.master()).setAppName("spark-wal-peer-" + workload)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.local.dir", dir.resolve("local").toString())
                // Spark's internal manual clock: a batch is generated only when the bench advances it.
                .set("spark.streaming.clock", ManualClock.class.getName())
                .set("spark.streaming.receiver.writeAheadLog.enable", Boolean.toString(wal));
        if (o.serializer().equals("kryo")) {
            conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        }
        return conf;
    }

    private static RunMedians runOnce(Options o, String workload, boolean wal, int round,
            List<List<String>> data, Reference reference) throws Exception {
        Path dir = Files.createTempDirectory("spark-wal-peer-");
        String label = workload + (wal ? " wal-on" : " wal-off") + " round " + round;
        JavaStreamingContext jssc =
                new JavaStreamingContext(conf(o, workload, wal, dir), Durations.milliseconds(INTERVAL_MS));
        List<Double> totals = new ArrayList<>();
        List<Double> stores = new ArrayList<>();
        List<Double> walls = new ArrayList<>();
        try {
            // Both configurations set a checkpoint directory, as Sluice's bench does; the WAL needs it.
            jssc.checkpoint(dir.resolve("checkpoint").toUri().toString());
            FeedReceiver.reset();
            OUTPUTS.clear();
            // Serialized, not replicated: what Spark's guide recommends with the WAL on; used in both.
            JavaDStream<String> lines = jssc.receiverStream(new FeedReceiver(StorageLevel.MEMORY_AND_DISK_SER()));
            pipeline(workload, lines).foreachRDD((rdd, time) -> {
                List<Long> counts = rdd.collect();
                OUTPUTS.put(time.milliseconds(), counts.size() == 1 ? counts.get(0) : -counts.size());
            });
            Completions completions = new Completions();
            jssc.addStreamingListener(completions);
            jssc.start();
            FeedReceiver receiver = FeedReceiver.awaitStarted(TIMEOUT_S);
            ManualClock clock = (ManualClock) jssc.ssc().scheduler().clock();
            for (int j = 0; j < o.warmup() + o.batches(); j++) {
                List<String> batch = data.get(j % data.size());
                long t0 = System.nanoTime();
                for (int from = 0; from < batch.size(); from += o.storeBatch()) {
                    receiver.store(batch.subList(from, Math.min(batch.size(), from + o.storeBatch())).iterator());
                }
                long t1 = System.nanoTime();
                clock.advance(INTERVAL_MS);
                long time = clock.getTimeMillis();
                BatchInfo info = completions.of(time).get(TIMEOUT_S, TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                check(label, j, time, info, batch.size(), reference.expected(workload, j));
                if (Boolean.getBoolean("peer.verbose")) {
                    System.err.printf("%s batch %d: store %.1f ms, scheduling %s ms, processing %s ms, wall %.1f ms%n",
                            label, j, (t1 - t0) / 1e6, info.schedulingDelay().get(), info.processingDelay().get(),
                            (t2 - t0) / 1e6);
                }
                if (j >= o.warmup()) {
                    double storeMs = (t1 - t0) / 1e6;
                    totals.add(storeMs + (Long) info.processingDelay().get());
                    stores.add(storeMs);
                    walls.add((t2 - t0) / 1e6);
                }
            }
        } finally {
            jssc.stop(true, false);
            deleteRecursively(dir);
        }
        return new RunMedians(median(totals), median(stores), median(walls));
    }

    private static void check(String label, int j, long time, BatchInfo info, int lines, long expected) {
        String where = label + " batch " + j + " (batch time " + time + " ms)";
        for (OutputOperationInfo op : JavaConverters.mapAsJavaMapConverter(info.outputOperationInfos()).asJava()
                .values()) {
            if (op.failureReason().isDefined()) {
                throw new IllegalStateException(where + " failed: " + op.failureReason().get());
            }
        }
        if (info.numRecords() != lines) {
            throw new IllegalStateException(where + " received " + info.numRecords() + " records, expected " + lines
                    + ": a store did not land in the batch it was made for");
        }
        Long actual = OUTPUTS.get(time);
        if (actual == null || actual != expected) {
            throw new IllegalStateException(where + " output " + actual + ", expected " + expected
                    + " (plain-Java reference over the same lines)");
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
