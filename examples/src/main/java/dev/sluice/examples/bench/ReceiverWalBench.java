package dev.sluice.examples.bench;

import dev.sluice.core.Pair;
import dev.sluice.examples.Args;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.testing.ManualClock;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code bench receiver-wal}: W1 and W3update fed through a receiver, with the receiver
 * write-ahead log off and on. Public API only: a {@link Receiver} whose {@code store} the bench
 * calls with pre-generated lines, {@code storeBatch} lines per call, under a manual clock. Per
 * batch it measures the time to store the batch's lines (where the log's cost is paid: each store
 * call is logged and flushed before it returns) plus the batch's processing time.
 *
 * <p>On a shared, noisy machine the two configurations are compared batch by batch: each round
 * starts one context with the log and one without, side by side in this JVM (an idle context
 * takes no CPU), and feeds them the same batches alternately, the order flipping every batch, so
 * both see the same machine. Per configuration it reports the median over rounds of each round's
 * median, the median of the per-batch on/off ratios, and the bytes the storing thread allocated
 * per line stored (unaffected by noise). Every batch's output (the distinct words of the batch
 * for W1, of all batches so far for W3update) is checked against a plain-Java count of the same
 * lines; a mismatch fails the bench. {@code --control true} runs the "on" context without the
 * log too: the ratios then show the method's own bias and noise (expect 1.0).
 *
 * <pre>
 * java -jar examples/target/sluice-examples.jar bench receiver-wal [--lines 100000] [--rounds 3]
 *     [--warmup 3] [--batches 8] [--store-batch 1000] [--workloads W1,W3update] [--control true]
 * </pre>
 */
public final class ReceiverWalBench {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int PARALLELISM = 2;
    private static final Set<String> OPTIONS = Set.of("lines", "rounds", "warmup", "batches", "store-batch",
            "workloads", "control");
    private static final Map<String, Function<DStream<String>, DStream<Long>>> WORKLOADS = Map.of(
            "W1", lines -> pairs(lines).reduceByKey(Integer::sum, PARALLELISM).count(),
            "W3update", lines -> pairs(lines).updateStateByKey(ReceiverWalBench::sum, PARALLELISM)
                    .checkpoint(INTERVAL.multipliedBy(10)).count());

    private ReceiverWalBench() {
    }

    private static PairDStream<String, Integer> pairs(DStream<String> lines) {
        return lines.<String>mapMulti(Baselines::forEachWord).mapToPair(w -> Pair.of(w, 1));
    }

    private static Optional<Integer> sum(List<Integer> ones, Optional<Integer> state) {
        return Optional.of(state.orElse(0) + ones.size());
    }

    /** A receiver the bench stores into from its own thread once the context started it. */
    private static final class Feed extends Receiver<String> {
        private final transient CountDownLatch started = new CountDownLatch(1);

        @Override
        public void onStart() {
            started.countDown();
        }

        @Override
        public void onStop() {
        }
    }

    /** Completes a future per batch time when the batch completes. */
    private static final class Completions implements StreamingListener {
        private final Map<Long, CompletableFuture<BatchInfo>> done = new ConcurrentHashMap<>();

        CompletableFuture<BatchInfo> of(long millis) {
            return done.computeIfAbsent(millis, t -> new CompletableFuture<>());
        }

        @Override
        public void onBatchCompleted(BatchInfo info) {
            of(info.batchTime().millis()).complete(info);
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse("bench receiver-wal", argv, OPTIONS);
        int lines = args.integer("lines", 100_000);
        int rounds = args.integer("rounds", 3);
        int warmup = args.integer("warmup", 3);
        int batches = args.integer("batches", 8);
        int storeBatch = args.integer("store-batch", 1000);
        List<String> workloads = List.of(args.string("workloads", "W1,W3update").split(","));
        for (String w : workloads) {
            if (!WORKLOADS.containsKey(w)) {
                throw new IllegalArgumentException("unknown workload '" + w + "' in --workloads; use "
                        + WORKLOADS.keySet());
            }
        }
        boolean control = Boolean.parseBoolean(args.string("control", "false"));
        List<List<String>> data = WorkloadData.pregenerate(lines);
        Map<String, List<Double>> results = new java.util.TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String workload : workloads) {
                round(workload, r, data, warmup, batches, storeBatch, control, results);
            }
        }
        for (String workload : workloads) {
            double off = median(results.get(workload + " wal-off"));
            double on = median(results.get(workload + " wal-on"));
            System.out.println(new BenchReport.Json().put("workload", workload).put("mode", "summary")
                    .put("linesPerBatch", lines).put("storeBatch", storeBatch)
                    .put("walOffMedianMs", BenchReport.round3(off)).put("walOnMedianMs", BenchReport.round3(on))
                    .put("on/off", BenchReport.round3(on / off))
                    .put("medianBatchRatio", BenchReport.round3(median(results.get(workload + " ratio"))))
                    .put("walOffStoreMs", BenchReport.round3(median(results.get(workload + " wal-off store"))))
                    .put("walOnStoreMs", BenchReport.round3(median(results.get(workload + " wal-on store"))))
                    .put("walOffStoreBytesPerLine", BenchReport.round3(median(results.get(workload + " wal-off bytes"))))
                    .put("walOnStoreBytesPerLine", BenchReport.round3(median(results.get(workload + " wal-on bytes"))))
                    .put("loadAverage", BenchReport.round3(java.lang.management.ManagementFactory
                            .getOperatingSystemMXBean().getSystemLoadAverage())));
        }
    }

    /** One round of {@code workload}: a context with the log and one without, fed the same batches alternately. */
    private static void round(String workload, int r, List<List<String>> data, int warmup, int batches,
                              int storeBatch, boolean control, Map<String, List<Double>> results)
            throws Exception {
        Run off = new Run(workload, false, false);
        Run on = new Run(workload, true, !control);
        try {
            off.start();
            on.start();
            for (int j = 0; j < warmup + batches; j++) {
                List<String> batch = data.get(j % data.size());
                boolean measured = j >= warmup;
                // Flip the order every batch, so neither always runs on a warmer machine.
                for (Run run : j % 2 == 0 ? List.of(off, on) : List.of(on, off)) {
                    run.batch(batch, storeBatch, measured);
                }
                if (measured) {
                    results.computeIfAbsent(workload + " ratio", k -> new ArrayList<>())
                            .add(last(on.millis) / last(off.millis));
                }
            }
        } finally {
            off.stop();
            on.stop();
        }
        for (Run run : List.of(off, on)) {
            check(workload, run.on, data, run.batchTimes, run.outputs);
            String key = workload + (run.on ? " wal-on" : " wal-off");
            double[] m = {median(run.millis), median(run.storeMillis), (double) run.allocated / run.stored};
            results.computeIfAbsent(key, k -> new ArrayList<>()).add(m[0]);
            results.computeIfAbsent(key + " store", k -> new ArrayList<>()).add(m[1]);
            results.computeIfAbsent(key + " bytes", k -> new ArrayList<>()).add(m[2]);
            System.out.println(new BenchReport.Json().put("workload", workload).put("wal", run.on)
                    .put("logging", run.wal)
                    .put("round", r).put("medianMsPerBatch", BenchReport.round3(m[0]))
                    .put("medianStoreMsPerBatch", BenchReport.round3(m[1]))
                    .put("storeBytesPerLine", BenchReport.round3(m[2])));
        }
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    /** One context of a round: its receiver, clock, and what it measured. */
    private static final class Run {
        final String workload;
        /** Whether this is the "on" side of the comparison, and whether it logs (not in a control run). */
        final boolean on;
        final boolean wal;
        final ManualClock clock = new ManualClock();
        final Feed feed = new Feed();
        final Completions completions = new Completions();
        final Map<Long, Long> outputs = new ConcurrentHashMap<>();
        final List<Long> batchTimes = new ArrayList<>();
        final List<Double> millis = new ArrayList<>();
        final List<Double> storeMillis = new ArrayList<>();
        long allocated;
        long stored;
        StreamingContext ssc;

        Run(String workload, boolean on, boolean wal) {
            this.workload = workload;
            this.on = on;
            this.wal = wal;
        }

        void start() throws Exception {
            String checkpoints = Files.createTempDirectory("sluice-bench-wal-").toUri().toString();
            ssc = StreamingContext.builder().appName("bench-wal-" + workload + (on ? "-on" : "-off"))
                    .batchInterval(INTERVAL).parallelism(PARALLELISM).clock(clock).checkpointDir(checkpoints)
                    .writeAheadLog(wal).build();
            WORKLOADS.get(workload).apply(ssc.receiverStream(feed)).foreachBatch((ds, time) ->
                    outputs.put(time.millis(), ds.collect().stream().mapToLong(Long::longValue).sum()));
            ssc.addListener(completions);
            ssc.start();
            if (!feed.started.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("receiver did not start");
            }
        }

        /** Stores {@code batch}, runs its batch, and records the times if {@code measured}. */
        void batch(List<String> batch, int storeBatch, boolean measured) throws Exception {
            long bytes0 = allocatedBytes();
            long t0 = System.nanoTime();
            for (int from = 0; from < batch.size(); from += storeBatch) {
                feed.store(batch.subList(from, Math.min(batch.size(), from + storeBatch)));
            }
            double storeMs = (System.nanoTime() - t0) / 1e6;
            long bytes = allocatedBytes() - bytes0;
            clock.advance(INTERVAL);
            batchTimes.add(clock.millis());
            BatchInfo info = completions.of(clock.millis()).get(120, TimeUnit.SECONDS);
            if (info.failure().isPresent()) {
                throw new IllegalStateException("batch " + batchTimes.size() + " failed", info.failure().get());
            }
            if (measured) {
                millis.add(storeMs + info.processingTime().toNanos() / 1e6);
                storeMillis.add(storeMs);
                allocated += bytes;
                stored += batch.size();
            }
        }

        void stop() {
            if (ssc != null) {
                ssc.stop();
            }
        }
    }

    /** Fails unless batch j's output is the distinct words of batch j (W1) or of batches 0..j (W3update). */
    private static void check(String workload, boolean wal, List<List<String>> data, List<Long> batchTimes,
                              Map<Long, Long> outputs) {
        Set<String> seen = new java.util.HashSet<>();
        for (int j = 0; j < batchTimes.size(); j++) {
            if (workload.equals("W1")) {
                seen.clear();
            }
            data.get(j % data.size()).forEach(line -> Baselines.forEachWord(line, seen::add));
            Long got = outputs.get(batchTimes.get(j));
            if (got == null || got != seen.size()) {
                throw new IllegalStateException(workload + " with the WAL " + (wal ? "on" : "off") + ": batch " + j
                        + " counted " + got + " keys, the plain-Java reference " + seen.size());
            }
        }
    }

    /** Bytes allocated so far by the calling thread, or 0 where the JVM does not tell. */
    private static long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemoryEnabled()) {
            return t.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
