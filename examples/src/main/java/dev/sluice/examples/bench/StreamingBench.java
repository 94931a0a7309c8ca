package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Pair;
import dev.sluice.examples.Args;
import dev.sluice.examples.bench.BenchReport.Json;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.testing.ManualClock;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The stream workloads of {@code shared/bench/WORKLOADS.md} through {@code queueStream}, and the
 * plain-Java W1 baseline on the same pre-generated batches.
 *
 * <p>Throughput runs (W1, W2inv, W2noinv, W3update, W3mapws): {@code K = min(8, 4M / N)} distinct
 * batches of N lines are generated first (not timed) and fed one per batch, cyclically. The batch
 * clock is a manual clock advanced as soon as the previous batch completes, so the engine is always
 * busy and never waits on a timer. Per batch, the processing time (first job start to last job end)
 * comes from the listener's {@code BatchInfo}; warm-up batches are skipped. Pipelines use
 * {@code mapMulti} with the same hand {@code indexOf} split as the baselines, and 2 reduce
 * partitions, parallelism 2.
 *
 * <p>W4 (the per-batch floor): one line per batch, the system clock with a 100 ms interval, 20
 * warm-up and 200 measured batches; {@code --checkpoint-dir URI} sets a checkpoint directory, so
 * each batch also writes its metadata checkpoint (included in the measured processing time).
 *
 * <p>Commands (after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W1 --lines 100000 --warmup 5 --batches 15
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench baseline --threads 2 --lines 100000
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W2inv --lines 100000 --window 10
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W3mapws --lines 100000
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W4
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W4 --checkpoint-dir file:///tmp/w4
 * </pre>
 * {@code bench W1} also runs both baselines in the same JVM on the same batches, then prints a
 * summary line with the ratios of the medians. Each run prints one JSON line: workload, mode, linesPerBatch, measuredBatches, procMs {median, p99,
 * min, max}, linesPerSecMedian, outputCounts (the first K batches' outputs; W1's are the check
 * values of WORKLOADS.md), peakRssMiB and jvmFlags.
 */
public final class StreamingBench {
    private static final int PARALLELISM = 2;
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Set<String> OPTIONS = Set.of("lines", "warmup", "batches", "threads", "window",
            "checkpoint-dir");

    /** The stream workloads by name: each maps the line stream to the per-batch count it outputs. */
    private static final Map<String, Function<Workload, DStream<Long>>> WORKLOADS = new ConcurrentHashMap<>(Map.of(
            "W1", w -> w.pairs().reduceByKey(Integer::sum, PARALLELISM).count(),
            "W2inv", w -> w.pairs().reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, w.window(), INTERVAL)
                    .checkpoint(INTERVAL.multipliedBy(10)).count(),
            "W2noinv", w -> w.pairs().reduceByKeyAndWindow(Integer::sum, w.window(), INTERVAL, PARALLELISM).count(),
            "W3update", w -> w.pairs().updateStateByKey(StreamingBench::runningSum, PARALLELISM)
                    .checkpoint(INTERVAL.multipliedBy(10)).count(),
            "W3mapws", w -> w.pairs().mapWithState(StateSpec.function(StreamingBench::countWord)
                    .numPartitions(PARALLELISM)).count()));

    private static Optional<Integer> runningSum(List<Integer> ones, Optional<Integer> state) {
        int sum = state.orElse(0);
        for (int one : ones) {
            sum += one;
        }
        return Optional.of(sum);
    }

    private static Pair<String, Integer> countWord(String word, Optional<Integer> one, State<Integer> state) {
        int count = state.toOptional().orElse(0) + one.orElse(0);
        state.update(count);
        return Pair.of(word, count);
    }

    private StreamingBench() {
    }

    /** Returns the names of the throughput workloads. */
    public static Set<String> workloads() {
        return Set.copyOf(WORKLOADS.keySet());
    }

    /** What a pipeline is built from: the line stream and the run's options. */
    record Workload(DStream<String> lines, int windowBatches) {
        /** The window of W2: {@code windowBatches} batch intervals. */
        Duration window() {
            return INTERVAL.multipliedBy(windowBatches);
        }

        /** The (word, 1) pairs of WORKLOADS.md. */
        dev.sluice.streaming.PairDStream<String, Integer> pairs() {
            return lines.<String>mapMulti(Baselines::forEachWord).mapToPair(w -> Pair.of(w, 1));
        }
    }

    /** Runs {@code bench <workload> [options]}: W1..W3 throughput, W4 floor, or baseline. */
    public static void run(String workload, String[] argv) throws Exception {
        Args args = Args.parse("bench " + workload, argv, OPTIONS);
        if (workload.equals("W4")) {
            System.out.println(floor(args.integer("warmup", 20), args.integer("batches", 200),
                    args.string("checkpoint-dir", null)));
        } else if (workload.equals("baseline")) {
            List<List<String>> data = WorkloadData.pregenerate(args.integer("lines", 100_000));
            System.out.println(baseline(args.integer("threads", 2), data, args.integer("warmup", 5),
                    args.integer("batches", 15)));
        } else {
            Function<Workload, DStream<Long>> pipeline = WORKLOADS.get(workload);
            checkArgument(pipeline != null, "unknown workload %s; known: %s, W4, baseline", workload,
                    new java.util.TreeSet<>(WORKLOADS.keySet()));
            int lines = args.integer("lines", 100_000);
            int warmup = args.integer("warmup", 5);
            int batches = args.integer("batches", 15);
            List<List<String>> data = WorkloadData.pregenerate(lines);
            Json engine = throughput(workload, pipeline, data, warmup, batches, args.integer("window", 10));
            System.out.println(engine);
            if (workload.equals("W1")) {
                Json one = baseline(1, data, warmup, batches);
                Json two = baseline(2, data, warmup, batches);
                System.out.println(one);
                System.out.println(two);
                System.out.println(new Json().put("workload", "W1").put("mode", "summary").put("linesPerBatch", lines)
                        .put("engine/baseline-1thread", ratio(engine, one))
                        .put("engine/baseline-2threads", ratio(engine, two)));
            }
        }
    }

    static Json throughput(String name, Function<Workload, DStream<Long>> pipeline, List<List<String>> data,
                           int warmup, int batches, int window) throws Exception {
        int lines = data.get(0).size();
        ManualClock clock = new ManualClock();
        String checkpoints = Files.createTempDirectory("sluice-bench-").toUri().toString();
        StreamingContext ssc = StreamingContext.builder().appName("bench-" + name).batchInterval(INTERVAL)
                .parallelism(PARALLELISM).clock(clock).checkpointDir(checkpoints).build();
        Queue<List<String>> queue = new ConcurrentLinkedQueue<>();
        Map<Long, Long> outputs = new ConcurrentHashMap<>();
        pipeline.apply(new Workload(ssc.queueStream(queue, true), window))
                .foreachBatch((ds, time) -> outputs.put(time.millis(), ds.collect().get(0)));
        BatchWaiter waiter = new BatchWaiter();
        ssc.addListener(waiter);
        List<Double> millis = new ArrayList<>();
        List<Long> firstOutputs = new ArrayList<>();
        try {
            ssc.start();
            for (int j = 0; j < warmup + batches; j++) {
                queue.add(data.get(j % data.size()));
                clock.advance(INTERVAL);
                BatchInfo info = waiter.await(clock.millis());
                if (info.failure().isPresent()) {
                    throw new IllegalStateException("batch " + j + " failed", info.failure().get());
                }
                if (j < data.size()) {
                    firstOutputs.add(outputs.get(clock.millis()));
                }
                if (j >= warmup) {
                    millis.add(info.processingTime().toNanos() / 1e6);
                }
            }
        } finally {
            ssc.stop();
        }
        Json out = report(name, "engine", lines, millis, firstOutputs);
        return name.startsWith("W2") ? out.put("windowBatches", window) : out;
    }

    static String floor(int warmup, int batches, String checkpointDir) throws Exception {
        StreamingContext.Builder settings = StreamingContext.builder().appName("bench-W4")
                .batchInterval(Duration.ofMillis(100)).parallelism(PARALLELISM);
        if (checkpointDir != null) {
            settings.checkpointDir(checkpointDir);
        }
        StreamingContext ssc = settings.build();
        Queue<List<String>> queue = new ConcurrentLinkedQueue<>();
        for (int j = 0; j < warmup + batches + 10; j++) {
            queue.add(List.of(WorkloadData.line(j)));
        }
        List<Long> outputs = new ArrayList<>();
        ssc.queueStream(queue, true).mapToPair(l -> Pair.of(l, 1)).reduceByKey(Integer::sum, PARALLELISM).count()
                .foreachBatch((ds, time) -> outputs.add(ds.collect().get(0)));
        List<Double> millis = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ssc.addListener(new StreamingListener() {
            private int seen;

            @Override
            public void onBatchCompleted(BatchInfo info) {
                if (seen++ >= warmup && millis.size() < batches) {
                    millis.add(info.processingTime().toNanos() / 1e6);
                }
                if (millis.size() == batches) {
                    done.complete(null);
                }
            }
        });
        ssc.start();
        try {
            done.get((warmup + batches) * 100L + 60_000, TimeUnit.MILLISECONDS);
        } finally {
            ssc.stop();
        }
        return report("W4", "engine", 1, millis, outputs.subList(0, Math.min(8, outputs.size())))
                .put("batchIntervalMs", 100).put("checkpointDir", String.valueOf(checkpointDir)).toString();
    }

    static Json baseline(int threads, List<List<String>> data, int warmup, int batches) {
        checkArgument(threads == 1 || threads == 2, "--threads must be 1 or 2, got %s", threads);
        int lines = data.get(0).size();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Double> millis = new ArrayList<>();
        List<Long> firstOutputs = new ArrayList<>();
        try {
            for (int j = 0; j < warmup + batches; j++) {
                List<String> batch = data.get(j % data.size());
                long start = System.nanoTime();
                long distinct = threads == 1 ? Baselines.singleThread(batch) : Baselines.twoThreads(batch, pool);
                double ms = (System.nanoTime() - start) / 1e6;
                if (j < data.size()) {
                    firstOutputs.add(distinct);
                }
                if (j >= warmup) {
                    millis.add(ms);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return report("W1", "baseline-" + threads + "thread" + (threads == 1 ? "" : "s"), lines, millis, firstOutputs);
    }

    /** Median throughput of {@code a} over that of {@code b}: the medians' inverse ratio. */
    private static double ratio(Json a, Json b) {
        return BenchReport.round3(b.median() / a.median());
    }

    private static Json report(String workload, String mode, int lines, List<Double> millis, List<Long> outputs) {
        double median = BenchReport.percentile(millis, 0.5);
        return new Json(median).put("workload", workload).put("mode", mode).put("linesPerBatch", lines)
                .put("measuredBatches", millis.size()).put("procMs", BenchReport.procMs(millis))
                .put("linesPerSecMedian", Math.round(lines / (median / 1000)))
                .put("outputCounts", outputs).put("peakRssMiB", BenchReport.peakRssMiB())
                .put("jvmFlags", BenchReport.jvmFlags());
    }

    /** Completes a future per batch time when that batch completes. */
    private static final class BatchWaiter implements StreamingListener {
        private final Map<Long, CompletableFuture<BatchInfo>> done = new ConcurrentHashMap<>();

        @Override
        public void onBatchCompleted(BatchInfo info) {
            future(info.batchTime().millis()).complete(info);
        }

        BatchInfo await(long millis) throws Exception {
            return future(millis).get(10, TimeUnit.MINUTES);
        }

        private CompletableFuture<BatchInfo> future(long millis) {
            return done.computeIfAbsent(millis, t -> new CompletableFuture<>());
        }
    }
}
