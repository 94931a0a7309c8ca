package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Pair;
import dev.sluice.examples.Args;
import dev.sluice.examples.bench.BenchReport.Json;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.Clock;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.testing.ManualClock;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The stream workloads of {@code shared/bench/WORKLOADS.md} through {@code queueStream}, each
 * against plain-Java baselines ({@link Baselines}) on the same pre-generated batches, with the
 * same splitter, in the same JVM, interleaved.
 *
 * <p>Throughput runs (W1, W2inv, W2noinv, W3update, W3mapws): {@code K = min(8, 4M / N)} distinct
 * batches of N lines are generated first (not timed) and fed one per batch, cyclically. The batch
 * clock is a manual clock advanced as soon as the previous batch completes, so the engine is always
 * busy and never waits on a timer. Pipelines split with {@code --split} ({@link Splitter}), 2
 * reduce partitions, parallelism 2. Baselines: W1 on one and on two threads; W2inv, W2noinv,
 * W3update and W3mapws on one thread doing the same work with {@code HashMap}s.
 *
 * <p>Order: {@code --warmup} engine batches, then {@code --warmup} batches of each baseline, then
 * {@code --rounds} rounds that each run a share of the {@code --batches} measured batches on the
 * engine and then the same number on each baseline, so that machine noise falls on all of them.
 * Medians are over all rounds.
 *
 * <p>W4 (the per-batch floor): one line per batch, the system clock with a 100 ms interval, 20
 * warm-up and 200 measured batches; {@code --checkpoint-dir URI} sets a checkpoint directory, so
 * each batch also writes its metadata checkpoint (included in the measured processing time).
 *
 * <p>What is measured, per batch: the listener's processing time ({@code procMs}, first job start
 * to last job end); the wall time ({@code wallMs}, engine only: from advancing the clock, through
 * building the batch's datasets on the generator thread, its jobs, and releasing old data, to the
 * completion event; baselines are timed end to end, so compare {@code wallMs} with their
 * {@code procMs}); and bytes allocated per input line by all threads over the measured batches
 * ({@code allocBytesPerLine}, see {@link Allocation}); and process CPU time over the measured batches
 * divided by their number ({@code cpuMsPerBatch}, GC threads included); and the collector's
 * stop-the-world pauses over the measured batches, per batch ({@code gcPausesPerBatch}) and their
 * milliseconds per batch ({@code gcPauseMsPerBatch}), from the JVM's collector beans.
 *
 * <p>Checks: every batch's output, warm-up and measured, of the engine and of every baseline, is
 * compared with a plain-Java {@link Reference}; a mismatch fails the run with a
 * {@link BenchCheckException} naming the batch and both values (the JVM exits non-zero).
 * {@code outputCounts} stays what it was: the outputs of the first K batches.
 *
 * <p>W4 (the per-batch floor): one line per batch, a system clock with a 100 ms interval, 20
 * warm-up and 200 measured batches; each output must be 1. Its lines are keys, not split
 * ({@code "split": "none"}); it has no baseline.
 *
 * <p>Commands (after {@code mvn -B -q -o -DskipTests package -pl examples -am}):
 * <pre>
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W1 --lines 100000 --warmup 5 --batches 15
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W1 --lines 100000 --split regex
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench baseline --threads 2 --lines 100000
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W2inv --lines 100000 --window 10
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W3mapws --lines 100000
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W4
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench W4 --checkpoint-dir file:///tmp/w4
 * </pre>
 * Options: {@code --lines N} (100000), {@code --warmup W} (5), {@code --batches B} (15),
 * {@code --rounds R} (min(5, B)), {@code --window w} (10, W2 only), {@code --split indexOf|regex},
 * {@code --checkpoint-dir temp|none} (temp: the engine runs with a temporary checkpoint directory,
 * so each batch also writes its output commit log entry and metadata checkpoint, inside the
 * measured time; none: without one, as a stateless stream may run; W2inv and W3update need one).
 * Each run prints one JSON line per mode (engine, then each baseline) with workload, mode, split,
 * linesPerBatch, measuredBatches, procMs {median, p99, min, max}, linesPerSecMedian, wallMs,
 * allocBytesPerLine, cpuMsPerBatch, gcPausesPerBatch, gcPauseMsPerBatch, outputCounts, checkedBatches,
 * peakRssMiB and jvmFlags, then a summary line
 * with the ratios of the engine's median throughput to each baseline's (and of its bytes per line).
 */
public final class StreamingBench {
    private static final int PARALLELISM = 2;
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Set<String> OPTIONS = Set.of("lines", "warmup", "batches", "threads", "window", "split",
            "rounds", "ui", "checkpoint-dir");
    /** {@code --ui on} serves the web UI during the run (metrics are always recorded); off by default. */
    private static boolean webUi;

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
    record Workload(DStream<String> lines, int windowBatches, Splitter splitter) {
        /** The window of W2: {@code windowBatches} batch intervals. */
        Duration window() {
            return INTERVAL.multipliedBy(windowBatches);
        }

        /** The (word, 1) pairs of WORKLOADS.md. */
        PairDStream<String, Integer> pairs() {
            return splitter.words(lines).mapToPair(w -> Pair.of(w, 1));
        }
    }

    /** The options of a throughput run. */
    record Config(String workload, int warmup, int batches, int rounds, int window, Splitter splitter,
                  boolean checkpointed) {
        Config {
            checkArgument(warmup >= 0, "--warmup must be >= 0, got %s", warmup);
            checkArgument(batches > 0, "--batches must be > 0, got %s", batches);
            checkArgument(rounds > 0 && rounds <= batches, "--rounds must be in [1, --batches = %s], got %s",
                    batches, rounds);
            checkArgument(window > 0, "--window must be > 0, got %s", window);
        }

        static Config parse(String workload, Args args) {
            int batches = args.integer("batches", 15);
            return new Config(workload, args.integer("warmup", 5), batches,
                    args.integer("rounds", Math.min(5, batches)), args.integer("window", 10),
                    Splitter.parse(args.string("split", Splitter.INDEX_OF.label())),
                    checkpointed(args.string("checkpoint-dir", "temp")));
        }

        /** The {@code --checkpoint-dir} of the run, as its JSON lines name it: {@code temp} or {@code none}. */
        String checkpointDir() {
            return checkpointed ? "temp" : "none";
        }

        /** {@code --checkpoint-dir} of a throughput run: {@code temp} (a temporary directory) or {@code none}. */
        private static boolean checkpointed(String option) {
            checkArgument(option.equals("temp") || option.equals("none"),
                    "--checkpoint-dir of a throughput run must be temp (a temporary directory, the default) or none "
                            + "(no checkpoint directory: no metadata checkpoint or output commit log per batch; "
                            + "W2inv and W3update need one), got %s", option);
            return option.equals("temp");
        }
    }

    /** Runs {@code bench <workload> [options]}: W1..W3 throughput, W4 floor, or baseline. */
    public static void run(String workload, String[] argv) throws Exception {
        Args args = Args.parse("bench " + workload, argv, OPTIONS);
        webUi = args.string("ui", "off").equals("on");
        if (workload.equals("W4")) {
            System.out.println(floor(args.integer("warmup", 20), args.integer("batches", 200),
                    args.string("checkpoint-dir", null)));
        } else if (workload.equals("baseline")) {
            Config config = Config.parse("W1", args);
            int threads = args.integer("threads", 2);
            checkArgument(threads == 1 || threads == 2, "--threads must be 1 or 2, got %s", threads);
            List<List<String>> data = WorkloadData.pregenerate(args.integer("lines", 100_000));
            ExecutorService pool = baselinePool();
            try {
                Mode mode = baselineModes(config, pool).get(threads - 1);
                Reference reference = Reference.of("W1", data, config.window());
                mode.run(data, reference, 0, config.warmup(), false);
                mode.run(data, reference, config.warmup(), config.batches(), true);
                System.out.println(mode.json(config, data));
            } finally {
                pool.shutdownNow();
            }
        } else {
            checkArgument(WORKLOADS.containsKey(workload), "unknown workload %s; known: %s, W4, baseline", workload,
                    new TreeSet<>(WORKLOADS.keySet()));
            Config config = Config.parse(workload, args);
            List<List<String>> data = WorkloadData.pregenerate(args.integer("lines", 100_000));
            for (Json line : throughput(config, data, Reference.of(workload, data, config.window()))) {
                System.out.println(line);
            }
        }
    }

    /**
     * Runs a throughput workload and its baselines interleaved, checking every batch against
     * {@code reference}; returns the JSON lines (engine, baselines, summary).
     *
     * @throws BenchCheckException if any batch's output differs from the reference
     */
    static List<Json> throughput(Config config, List<List<String>> data, Reference reference) throws Exception {
        ExecutorService pool = baselinePool();
        try (EngineMode engine = new EngineMode(config)) {
            List<Mode> baselines = baselineModes(config, pool);
            engine.run(data, reference, 0, config.warmup(), false);
            for (Mode b : baselines) {
                b.run(data, reference, 0, config.warmup(), false);
            }
            int next = config.warmup();
            for (int r = 0; r < config.rounds(); r++) {
                int n = config.batches() * (r + 1) / config.rounds() - config.batches() * r / config.rounds();
                engine.run(data, reference, next, n, true);
                for (Mode b : baselines) {
                    b.run(data, reference, next, n, true);
                }
                next += n;
            }
            List<Json> out = new ArrayList<>();
            Json engineJson = engine.json(config, data);
            out.add(engineJson);
            Json summary = new Json().put("workload", config.workload()).put("mode", "summary")
                    .put("linesPerBatch", data.get(0).size()).put("split", config.splitter().label())
                    .put("rounds", config.rounds()).put("allocBytesPerLine", engine.alloc())
                    .put("checkpointDir", config.checkpointDir());
            for (Mode b : baselines) {
                Json bj = b.json(config, data);
                out.add(bj);
                summary.put("engine/" + b.name, ratio(engineJson, bj))
                        .put("engineWall/" + b.name, BenchReport.round3(b.median() / engine.wallMedian()))
                        .put("cpuEngine/" + b.name, BenchReport.round3(engine.cpuMsPerBatch() / b.cpuMsPerBatch()));
            }
            Mode single = baselines.get(0);
            summary.put("baselineAllocBytesPerLine", single.alloc())
                    .put("allocEngine/" + single.name, BenchReport.round3(engine.alloc() / single.alloc()));
            engineJson.put("baselineAllocBytesPerLine", single.alloc());
            out.add(summary);
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static ExecutorService baselinePool() {
        return Executors.newFixedThreadPool(PARALLELISM, r -> {
            Thread t = new Thread(r, "baseline-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** The baselines of a workload; the first is always the single-thread one. */
    private static List<Mode> baselineModes(Config config, ExecutorService pool) {
        Splitter s = config.splitter();
        String single = "baseline-1thread";
        return switch (config.workload()) {
            case "W1" -> List.of(new Mode(config.workload(), single, lines -> Baselines.singleThread(lines, s)),
                    new Mode(config.workload(), "baseline-2threads", lines -> Baselines.twoThreads(lines, pool, s)));
            case "W2inv" -> List.of(new Mode(config.workload(), single,
                    Baselines.windowWithInverse(s, config.window())));
            case "W2noinv" -> List.of(new Mode(config.workload(), single,
                    Baselines.windowWithoutInverse(s, config.window())));
            case "W3update" -> List.of(new Mode(config.workload(), single, Baselines.updateState(s)));
            case "W3mapws" -> List.of(new Mode(config.workload(), single, Baselines.mapWithState(s)));
            default -> throw new IllegalArgumentException("no baseline for workload " + config.workload());
        };
    }

    static String floor(int warmup, int batches, String checkpointDir) throws Exception {
        TickClock clock = new TickClock();
        StreamingContext.Builder settings = StreamingContext.builder().appName("bench-W4")
                .batchInterval(Duration.ofMillis(100)).parallelism(PARALLELISM).clock(clock).webUi(webUi).webUiPort(0);
        if (checkpointDir != null) {
            settings.checkpointDir(checkpointDir);
        }
        StreamingContext ssc = settings.build();
        Queue<List<String>> queue = new ConcurrentLinkedQueue<>();
        for (int j = 0; j < warmup + batches + 10; j++) {
            queue.add(List.of(WorkloadData.line(j)));
        }
        List<Long> outputs = new java.util.concurrent.CopyOnWriteArrayList<>();
        ssc.queueStream(queue, true).mapToPair(l -> Pair.of(l, 1)).reduceByKey(Integer::sum, PARALLELISM).count()
                .foreachBatch((ds, time) -> outputs.add(ds.collect().get(0)));
        List<Double> millis = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Allocation.Meter meter = new Allocation.Meter();
        ssc.addListener(new StreamingListener() {
            private int seen;

            @Override
            public void onBatchCompleted(BatchInfo info) {
                long now = System.nanoTime();
                if (seen++ == warmup) {
                    meter.start();
                }
                if (seen > warmup && millis.size() < batches) {
                    millis.add(info.processingTime().toNanos() / 1e6);
                    wall.add((now - clock.tickNanos(info.batchTime().millis())) / 1e6);
                }
                if (millis.size() == batches && !done.isDone()) {
                    meter.stop();
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
        Reference reference = Reference.of("W4", List.of(List.of("")), 1);
        for (int j = 0; j < outputs.size(); j++) {
            reference.check("W4", "engine", j, outputs.get(j));
        }
        return report("W4", "engine", 1, millis, outputs.subList(0, Math.min(8, outputs.size())))
                .put("split", "none").put("wallMs", BenchReport.procMs(wall))
                .put("allocBytesPerLine", meter.perLine(batches)).put("cpuMsPerBatch", meter.cpuMsPerBatch(batches))
                .put("checkedBatches", outputs.size())
                .put("batchIntervalMs", 100).toString();
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

    /** One way of running the batches (the engine or a baseline), with what it measured. */
    private static class Mode {
        final String workload;
        final String name;
        private final Baselines.Loop loop;
        final List<Double> millis = new ArrayList<>();
        final List<Long> firstOutputs = new ArrayList<>();
        final Allocation.Meter meter = new Allocation.Meter();
        int checked;
        private int lines;

        Mode(String workload, String name, Baselines.Loop loop) {
            this.workload = workload;
            this.name = name;
            this.loop = loop;
        }

        /** Runs batches {@code from … from+n−1}, then checks their outputs (outside the measurement). */
        void run(List<List<String>> data, Reference reference, int from, int n, boolean measured) throws Exception {
            lines = data.get(0).size();
            long[] outputs = new long[n];
            if (measured) {
                meter.start();
            }
            for (int i = 0; i < n; i++) {
                outputs[i] = batch(data, from + i, measured);
            }
            if (measured) {
                meter.stop();
            }
            for (int i = 0; i < n; i++) {
                int j = from + i;
                reference.check(workload, name, j, outputs[i]);
                checked++;
                if (j < data.size()) {
                    firstOutputs.add(outputs[i]);
                }
            }
        }

        /** Runs batch {@code j} and returns its output; records its time if {@code measured}. */
        long batch(List<List<String>> data, int j, boolean measured) throws Exception {
            List<String> batch = data.get(j % data.size());
            long start = System.nanoTime();
            long out = loop.batch(batch);
            if (measured) {
                millis.add((System.nanoTime() - start) / 1e6);
            }
            return out;
        }

        double median() {
            return BenchReport.percentile(millis, 0.5);
        }

        double alloc() {
            return meter.perLine((long) millis.size() * lines);
        }

        double cpuMsPerBatch() {
            return meter.cpuMsPerBatch(millis.size());
        }

        Json json(Config config, List<List<String>> data) {
            Json j = report(workload, name, lines, millis, firstOutputs).put("split", config.splitter().label())
                    .put("rounds", config.rounds()).put("allocBytesPerLine", alloc())
                    .put("cpuMsPerBatch", cpuMsPerBatch()).put("checkedBatches", checked)
                    .put("gcPausesPerBatch", meter.gcPausesPerBatch(millis.size()))
                    .put("gcPauseMsPerBatch", meter.gcPauseMsPerBatch(millis.size()));
            return workload.startsWith("W2") ? j.put("windowBatches", config.window()) : j;
        }
    }

    /** The engine: a streaming context under a manual clock, one batch per clock advance. */
    private static final class EngineMode extends Mode implements AutoCloseable {
        private final ManualClock clock = new ManualClock();
        private final StreamingContext ssc;
        private final Queue<List<String>> queue = new ConcurrentLinkedQueue<>();
        private final Map<Long, Long> outputs = new ConcurrentHashMap<>();
        private final BatchWaiter waiter = new BatchWaiter();
        private final List<Double> wall = new ArrayList<>();

        EngineMode(Config config) throws Exception {
            super(config.workload(), "engine", null);
            StreamingContext.Builder builder = StreamingContext.builder().appName("bench-" + config.workload())
                    .batchInterval(INTERVAL).parallelism(PARALLELISM).clock(clock).webUi(webUi).webUiPort(0);
            if (config.checkpointed()) {
                builder.checkpointDir(Files.createTempDirectory("sluice-bench-").toUri().toString());
            }
            ssc = builder.build();
            WORKLOADS.get(config.workload())
                    .apply(new Workload(ssc.queueStream(queue, true), config.window(), config.splitter()))
                    .foreachBatch((ds, time) -> outputs.put(time.millis(), ds.collect().get(0)));
            ssc.addListener(waiter);
            ssc.start();
        }

        @Override
        long batch(List<List<String>> data, int j, boolean measured) throws Exception {
            queue.add(data.get(j % data.size()));
            long start = System.nanoTime();
            clock.advance(INTERVAL);
            BatchWaiter.Done done = waiter.await(clock.millis());
            BatchInfo info = done.info();
            if (info.failure().isPresent()) {
                throw new IllegalStateException(workload + " engine: batch " + j + " failed", info.failure().get());
            }
            if (measured) {
                millis.add(info.processingTime().toNanos() / 1e6);
                wall.add((done.nanos() - start) / 1e6);
            }
            Long out = outputs.remove(clock.millis());
            if (out == null) {
                throw new BenchCheckException(workload + " engine: batch " + j + " produced no output");
            }
            return out;
        }

        double wallMedian() {
            return BenchReport.percentile(wall, 0.5);
        }

        @Override
        Json json(Config config, List<List<String>> data) {
            Json j = super.json(config, data);
            Map<String, Object> wallMs = new LinkedHashMap<>(BenchReport.procMs(wall));
            return j.put("wallMs", wallMs).put("wallLinesPerSecMedian",
                    Math.round(data.get(0).size() / (wallMedian() / 1000)))
                    .put("checkpointDir", config.checkpointDir());
        }

        @Override
        public void close() {
            ssc.stop();
        }
    }

    /** Completes a future per batch time when that batch completes, with the wall time it did. */
    private static final class BatchWaiter implements StreamingListener {
        record Done(BatchInfo info, long nanos) {
        }

        private final Map<Long, CompletableFuture<Done>> done = new ConcurrentHashMap<>();

        @Override
        public void onBatchCompleted(BatchInfo info) {
            future(info.batchTime().millis()).complete(new Done(info, System.nanoTime()));
        }

        Done await(long millis) throws Exception {
            Done d = future(millis).get(10, TimeUnit.MINUTES);
            done.remove(millis);
            return d;
        }

        private CompletableFuture<Done> future(long millis) {
            return done.computeIfAbsent(millis, t -> new CompletableFuture<>());
        }
    }

    /** The system clock, remembering the wall time ({@link System#nanoTime}) at which each batch time was reached. */
    private static final class TickClock implements Clock {
        private final Map<Long, Long> ticks = new ConcurrentHashMap<>();

        @Override
        public long millis() {
            return Clock.system().millis();
        }

        @Override
        public void waitUntil(long targetMillis) throws InterruptedException {
            Clock.system().waitUntil(targetMillis);
            ticks.putIfAbsent(targetMillis, System.nanoTime());
        }

        long tickNanos(long batchMillis) {
            return ticks.getOrDefault(batchMillis, System.nanoTime());
        }
    }
}
