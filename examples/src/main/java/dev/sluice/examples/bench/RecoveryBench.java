package dev.sluice.examples.bench;

import dev.sluice.core.Pair;
import dev.sluice.examples.Args;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.RecoveryReport;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bench recovery}: the recovery time of issue 10, from process start to the first new batch
 * completed, with {@code --keys} (default 1,000,000) keys of {@code mapWithState} state.
 *
 * <p>Each run: a child JVM builds the state (batch 1 adds every key, later batches update 1,000
 * keys each, the state is checkpointed every batch), and once it has caught up (no batch waiting)
 * and written three more metadata checkpoints it says so and is killed with SIGKILL. A fresh child JVM then runs the
 * same program with {@code getOrCreate} and reports, as one JSON line, the phases from its own
 * JVM start: {@code jvmMs} (JVM start to {@code main}), {@code setupMs} ({@code getOrCreate}
 * with the user's setup), {@code startMs} ({@code start()}: read the metadata checkpoint, check
 * it, restore the state, of which {@code recoveryMs} is the engine's own report), and
 * {@code firstBatchMs} (from {@code start()} returning to the first batch after the recovered
 * and replayed ones completing), and {@code totalMs}. The resumed run is checked: the state must
 * hold every key ({@code restoredKeys}), and every key the first new batch updates must hold 2.
 *
 * <pre>
 * java -jar examples/target/sluice-examples.jar bench recovery [--keys 1000000] [--runs 3]
 *     [--child-jvm "-Xmx3g -XX:+UseG1GC"]
 * </pre>
 */
public final class RecoveryBench {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int UPDATES_PER_BATCH = 1000;
    private static final int PARALLELISM = 2;
    private static final String BUILT = "RECOVERY-BENCH-BUILT";
    private static final String RESULT = "RECOVERY-BENCH-RESULT ";
    private static final Set<String> OPTIONS = Set.of("keys", "runs", "child-jvm");

    private RecoveryBench() {
    }

    /** A range of key numbers, expanded into pairs by the stream (so the input holds no million pairs). */
    record KeyRange(long from, long to) implements Serializable {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], args[2], Long.parseLong(args[3]));
            return;
        }
        Args a = Args.parse("bench recovery", args, OPTIONS);
        long keys = a.integer("keys", 1_000_000);
        int runs = a.integer("runs", 3);
        List<String> jvm = List.of(a.string("child-jvm", "-Xmx3g -XX:+UseG1GC").trim().split("\\s+"));
        List<Map<String, Object>> results = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            Path dir = Files.createTempDirectory("sluice-recovery-bench-");
            try {
                String checkpoint = dir.resolve("ckpt").toUri().toString();
                Process build = child(jvm, "build", checkpoint, keys);
                awaitLine(build, BUILT);
                build.destroyForcibly(); // SIGKILL: no graceful stop, no final checkpoint
                build.waitFor(30, TimeUnit.SECONDS);
                long spawned = System.nanoTime();
                Process resume = child(jvm, "resume", checkpoint, keys);
                String json = awaitLine(resume, RESULT).substring(RESULT.length());
                double parentMs = (System.nanoTime() - spawned) / 1e6;
                resume.destroyForcibly();
                resume.waitFor(30, TimeUnit.SECONDS);
                Map<String, Object> r = new LinkedHashMap<>(JsonReader.object(json));
                r.put("run", run);
                r.put("parentSpawnToFirstBatchMs", BenchReport.round3(parentMs));
                results.add(r);
                System.out.println(BenchReport.Json.write(r));
            } finally {
                deleteTree(dir);
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bench", "recovery");
        summary.put("keys", keys);
        summary.put("runs", runs);
        for (String phase : List.of("jvmMs", "setupMs", "startMs", "recoveryMs", "firstBatchMs", "totalMs",
                "parentSpawnToFirstBatchMs")) {
            List<Double> values = new ArrayList<>();
            for (Map<String, Object> r : results) {
                values.add(((Number) r.get(phase)).doubleValue());
            }
            summary.put(phase + "Median", BenchReport.round3(BenchReport.percentile(values, 0.5)));
        }
        summary.put("childJvm", String.join(" ", jvm));
        System.out.println(BenchReport.Json.write(summary));
    }

    private static Process child(List<String> jvm, String phase, String checkpoint, long keys) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RecoveryBench.class.getName(), "child",
                phase, checkpoint, Long.toString(keys)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Reads the child's output until a line starting with {@code prefix}; fails if the child ends first. */
    private static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith(prefix)) {
                // Keep draining, so the child never blocks on a full pipe.
                CompletableFuture.runAsync(() -> drain(in));
                return line;
            }
        }
        throw new BenchCheckException("recovery bench: the child exited without printing " + prefix);
    }

    private static void drain(BufferedReader in) {
        try {
            while (in.readLine() != null) {
                // discard
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The batches: 1 adds every key (in 8 ranges), each later one updates the next 1,000 keys. */
    private static List<List<KeyRange>> input(long keys) {
        List<List<KeyRange>> batches = new ArrayList<>();
        List<KeyRange> all = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            all.add(new KeyRange(keys * r / 8, keys * (r + 1) / 8));
        }
        batches.add(all);
        for (long b = 0; b < 3600; b++) {
            long from = b * UPDATES_PER_BATCH % keys;
            batches.add(List.of(new KeyRange(from, Math.min(keys, from + UPDATES_PER_BATCH))));
        }
        return batches;
    }

    private static String key(long i) {
        return "k" + i;
    }

    private static Long add(String key, Optional<Integer> value, State<Long> state) {
        long n = state.toOptional().orElse(0L) + value.orElse(0);
        state.update(n);
        return n;
    }

    private static void child(String phase, String checkpoint, long keys) throws Exception {
        long mainNanos = System.nanoTime();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainMillis = System.currentTimeMillis();
        CompletableFuture<Long> built = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger metadataWrites = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Long> firstNew = new CompletableFuture<>();
        List<List<Long>> firstNewOutput = new ArrayList<>();
        long[] earliestNew = {Long.MAX_VALUE};
        boolean[] caughtUp = {false};
        StreamingContext ssc = StreamingContext.getOrCreate(checkpoint, () -> {
            StreamingContext c = StreamingContext.builder().appName("recovery-bench").batchInterval(INTERVAL)
                    .parallelism(PARALLELISM).checkpointDir(checkpoint).build();
            PairDStream<String, Integer> updates = c.listStream(input(keys)).uid("ranges")
                    .<Pair<String, Integer>>mapMulti((range, emit) -> {
                        for (long i = range.from(); i < range.to(); i++) {
                            emit.accept(Pair.of(key(i), 1));
                        }
                    }).mapToPair(p -> p);
            var states = updates.mapWithState(StateSpec.function(RecoveryBench::add).numPartitions(PARALLELISM))
                    .uid("counts");
            states.checkpoint(INTERVAL);
            states.foreachBatch((ds, time) -> {
                if (time.millis() >= earliestNew[0] && !firstNew.isDone()) {
                    synchronized (firstNewOutput) {
                        firstNewOutput.add(ds.map(v -> (long) v).collect());
                    }
                } else {
                    ds.count(); // a job over the state each batch, so its checkpoints are written
                }
            });
            c.addListener(new StreamingListener() {
                @Override
                public void onCheckpointWritten(CheckpointInfo info) {
                    // The third once caught up: by then a complete state checkpoint holds every key,
                    // and no batch waits (a crash then leaves nothing to replay but the clock's gap).
                    if (info.kind() == CheckpointInfo.Kind.METADATA && info.succeeded() && caughtUp[0]
                            && metadataWrites.incrementAndGet() == 3) {
                        built.complete(info.batchTime().millis());
                    }
                }

                @Override
                public void onBatchCompleted(BatchInfo info) {
                    Duration half = INTERVAL.dividedBy(2);
                    caughtUp[0] = info.schedulingDelay().compareTo(half) < 0 && info.processingTime().compareTo(half) < 0;
                    if (info.batchTime().millis() >= earliestNew[0]) {
                        firstNew.complete(System.nanoTime());
                    }
                }
            });
            return c;
        });
        long setupDone = System.nanoTime();
        if (phase.equals("build")) {
            ssc.start();
            long zero = built.get(10, TimeUnit.MINUTES);
            System.out.println(BUILT + " " + zero);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE); // killed by the parent
            return;
        }
        // The first new batch: after the recovered and replayed ones, i.e. after "now".
        earliestNew[0] = System.currentTimeMillis() + 1;
        ssc.start();
        long started = System.nanoTime();
        RecoveryReport report = ssc.recoveryReport().orElseThrow(
                () -> new BenchCheckException("recovery bench: the resumed run did not resume"));
        long done = firstNew.get(10, TimeUnit.MINUTES);
        long restored = report.restoredKeys().getOrDefault("counts", -1L);
        if (restored != keys) {
            throw new BenchCheckException("recovery bench: restored " + restored + " keys, expected " + keys);
        }
        List<Long> out;
        synchronized (firstNewOutput) {
            out = firstNewOutput.isEmpty() ? List.of() : firstNewOutput.get(0);
        }
        if (out.size() != UPDATES_PER_BATCH || out.stream().anyMatch(v -> v != 2L)) {
            throw new BenchCheckException("recovery bench: the first new batch gave " + out.size()
                    + " states (expected " + UPDATES_PER_BATCH + ", each 2 = the restored 1 + this batch's 1), e.g. "
                    + out.subList(0, Math.min(5, out.size())));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", "recovery");
        r.put("keys", keys);
        r.put("restoredKeys", restored);
        r.put("replayedBatches", report.replayedBatches().size());
        r.put("jvmMs", mainMillis - jvmStart);
        r.put("setupMs", BenchReport.round3((setupDone - mainNanos) / 1e6));
        r.put("startMs", BenchReport.round3((started - setupDone) / 1e6));
        r.put("recoveryMs", report.took().toMillis());
        r.put("firstBatchMs", BenchReport.round3((done - started) / 1e6));
        r.put("totalMs", BenchReport.round3(mainMillis - jvmStart + (done - mainNanos) / 1e6));
        System.out.println(RESULT + BenchReport.Json.write(r));
        System.out.flush();
        ssc.stop(false);
        System.exit(0);
    }
}
