package dev.sluice.examples.bench;

import dev.sluice.core.Pair;
import dev.sluice.streaming.MapWithStateDStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;

/**
 * The state scale run of issue 5: mapWithState with many distinct keys. Measures the time of a
 * batch that touches 1% of the keys against one that touches all of them (medians), and the
 * heap the state costs per key beyond the key and value objects; a plain {@code HashMap<String,
 * Long>} doing the same updates in the same JVM is the baseline. Prints one JSON line.
 *
 * <p>Workload: keys {@code "k0000012345"} (11 chars) with {@code Long} state (a running sum of
 * the key's index, so the values are distinct objects, not the {@code Long} cache). The keys are
 * loaded {@code --batch} new keys per batch; then {@code --repeats} batches touch every 100th key
 * (a different residue each time) and {@code --repeats} batches touch all keys. Records are made
 * inside the tasks from small range descriptors (a queue stream), so the input holds no keys.
 * The engine runs under a manual clock (the public test kit) with a batch interval of 1 s and a
 * checkpoint every {@code --checkpoint-every} batches; batches that write a checkpoint are
 * reported apart and left out of the medians.
 *
 * <p>Heap per key: {@code System.gc()} then {@code MemoryMXBean} heap used before the load and
 * after it (once the datasets of the loading batches have been released; the least of three
 * readings a checkpoint interval of idle batches apart, listed in {@code heapBytesPerKeyReadings},
 * since a background merge in flight holds a second copy of a level), divided by the keys
 * ({@code heapBytesPerKey}); minus the size of the key and value objects
 * ({@code keyAndValueBytes}), measured with JOL ({@link ObjectSizes}) over a sample of
 * {@code --sample} (state key, state value) pairs actually held by the state at the end, read
 * through {@code stateSnapshots()} (the baseline: the same sample of its map's keys and values).
 * The old estimate, a heap-used difference around allocating keys and {@code Long}s, is still
 * reported as {@code keyAndValueBytesHeapDelta}: it counted more than the objects.
 *
 * <p>Checks: every batch's output count must equal the records the batch fed, and at the end the
 * state must hold {@code --keys} keys, each sampled key's state must be its index times the number
 * of batches that touched it, and the baseline map must agree; else the run fails with a
 * {@link BenchCheckException}. The bytes allocated per record fed (all threads, all
 * batches of the three phases, {@link Allocation}) are reported as {@code allocBytesPerRecord}.
 *
 * <p>Command (the full run needs about 4 GB of heap; use a quiet machine):
 * <pre>
 * mvn -B -q -DskipTests package
 * java -Xmx6g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench state-scale \
 *     --keys 10000000 --batch 1000000
 * </pre>
 * A smoke run: {@code --keys 200000 --batch 50000}. Options: {@code --keys --batch --repeats 5
 * --parallelism <cores> --checkpoint-every 10 --sample 100000 --steady 100}; {@code --baseline 0}
 * skips the HashMap baseline (minutes of young collections at 10M keys), {@code --progress 0}
 * the per-batch line on stderr, {@code --state-partitions N} the state's partitions
 * ({@code StateSpec.numPartitions}; default: the parallelism), printed as {@code statePartitions};
 * {@code --pace-ms N} starts each steady batch N ms after the previous one started (a late one at
 * once), as a stream at its batch interval does (default 0: back to back); {@code --warmup N} runs N
 * steady batches before the measured ones, unmeasured (default 0; {@code warmupBatches}), so that
 * the JVM's heap has grown to its working size; {@code gcDuringSteady} counts each collector's
 * collections and their time over the measured batches; {@code --restore-jvm 0}
 * skips the restore in a child JVM ({@code restoreChildJvm}: from that JVM's start to the first
 * new batch). The run's checkpoint directory is deleted at the end. At 10M keys with G1 give it
 * {@code -Xmx8g} (live heap about 1.2 GB; merges and base writes peak near 5.5 GB).
 */
public final class StateScaleBench {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private StateScaleBench() {
    }

    /** One task's share of a batch: the keys {@code from, from + step, ...} below {@code to}. */
    record KeyRange(long from, long to, long step) {
        long size() {
            return from >= to ? 0 : (to - from + step - 1) / step;
        }
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        long keys = option(args, "--keys", 10_000_000);
        long batch = option(args, "--batch", 1_000_000);
        int repeats = (int) option(args, "--repeats", 5);
        int parallelism = (int) option(args, "--parallelism", Runtime.getRuntime().availableProcessors());
        int statePartitions = (int) option(args, "--state-partitions", parallelism);
        int checkpointEvery = (int) option(args, "--checkpoint-every", 10);
        int sample = (int) option(args, "--sample", 100_000);
        int steady = (int) option(args, "--steady", 100);
        boolean progress = option(args, "--progress", 1) != 0;
        long paceMs = option(args, "--pace-ms", 0);
        int warmup = (int) option(args, "--warmup", 0);
        boolean restoreChild = option(args, "--restore-jvm", 1) != 0;
        String restoreOnly = stringOption(args, "--restore-only", null);
        if (restoreOnly != null) { // the child JVM of the process-start restore measurement
            Map<String, Object> r = restore(restoreOnly, parallelism, statePartitions, keys, checkpointEvery,
                    option(args, "--last-batch", 0));
            r.put("processStartToFirstBatchMs", System.currentTimeMillis()
                    - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
            System.out.println(BenchReport.Json.write(r));
            return;
        }

        double heapDeltaBytes = keyAndValueBytesHeapDelta((int) Math.min(200_000, keys));
        // First: a clean heap. --baseline 0 skips it (at 10M keys it takes minutes of young collections).
        Map<String, Object> baseline = option(args, "--baseline", 1) != 0
                ? hashMapBaseline(keys, batch, repeats, sample) : Map.of("skipped", "--baseline 0");
        long heapBefore = heapUsed();
        Queue<List<KeyRange>> queue = new ArrayDeque<>();
        String dir = Files.createTempDirectory("state-scale-bench").toUri().toString();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        long[] lastBatch = {0};
        // The checkpoint directory is the engine's, not the kit's: a kit with its own checkpoint directory
        // resumes from it (getOrCreate), which a queue stream cannot do; this run only needs state checkpoints.
        try (dev.sluice.core.Engine engine = dev.sluice.core.Engine.builder().appName("state-scale")
                .parallelism(parallelism).checkpointDir(dir).build();
             StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).engine(engine)
                .batchTimeout(Duration.ofHours(1)).build()) {
            MapWithStateDStream<String, Long, Long, Boolean> counts = PairDStream.<String, Long>of(kit.context()
                    .<KeyRange>queueStream(queue).<Pair<String, Long>>mapMulti((range, emit) -> {
                        for (long i = range.from(); i < range.to(); i += range.step()) {
                            emit.accept(Pair.of(key(i), i));
                        }
                    }))
                    .mapWithState(StateSpec.function(StateScaleBench::add).numPartitions(statePartitions))
                    .uid("counts");
            counts.checkpoint(INTERVAL.multipliedBy(checkpointEvery));
            CheckpointLog checkpoints = new CheckpointLog();
            kit.context().addListener(checkpoints);
            Queue<Long> outputs = new java.util.concurrent.ConcurrentLinkedQueue<>();
            counts.foreachBatch((ds, t) -> outputs.add(ds.count()));
            List<Pair<String, Long>> held = new ArrayList<>();
            long[] stateSize = {-1};
            boolean[] sampleNext = {false};
            counts.stateSnapshots().foreachBatch((ds, t) -> {
                if (sampleNext[0]) {
                    held.addAll(ds.take(sample));
                    stateSize[0] = ds.count();
                }
            });
            int[] batchNumber = {0};
            long[] fed = {0};
            Allocation.Meter meter = new Allocation.Meter();
            Runner run = ranges -> {
                queue.add(ranges);
                batchNumber[0]++;
                meter.start();
                long start = System.nanoTime();
                kit.run(1);
                double ms = (System.nanoTime() - start) / 1e6;
                meter.stop();
                if (progress) {
                    // The JVM's uptime at the batch's end, on the clock of -Xlog:gc's default decoration.
                    System.err.printf(Locale.ROOT, "state-scale: batch %d (%d ranges) %.0f ms, ended at %.3fs%n",
                            batchNumber[0], ranges.size(), ms,
                            java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
                }
                long expected = ranges.stream().mapToLong(KeyRange::size).sum();
                fed[0] += expected;
                Long actual = outputs.poll();
                if (actual == null || actual != expected) {
                    throw new BenchCheckException(String.format("state-scale engine: batch %d output %s records,"
                            + " but it fed %d", batchNumber[0], actual, expected));
                }
                return new Timing(ms, batchNumber[0] % checkpointEvery == 0, expected);
            };
            List<Timing> load = new ArrayList<>();
            for (long from = 0; from < keys; from += batch) {
                load.add(run.batch(split(from, Math.min(keys, from + batch), 1, parallelism)));
            }
            for (int i = 0; i < 2 * checkpointEvery; i++) {
                run.batch(List.of());   // lets the loading batches' datasets go (remember = 2 checkpoints)
            }
            checkpoints.awaitWrittenAtLeast(kit.time().millis() - kit.time().millis() % (1000L * checkpointEvery));
            // The least of three readings, a checkpoint interval of idle batches apart: a background
            // merge in flight (or finished, not yet adopted) holds a second copy of a level, which
            // made one reading swing by 30 B per key with the moment it was taken.
            List<Double> heapReadings = new ArrayList<>();
            long heapAfter = Long.MAX_VALUE;
            for (int reading = 0; reading < HEAP_READINGS; reading++) {
                if (reading > 0) {
                    for (int i = 0; i < checkpointEvery; i++) {
                        run.batch(List.of());
                    }
                }
                long used = heapUsed();
                heapReadings.add((used - heapBefore) / (double) keys);
                heapAfter = Math.min(heapAfter, used);
            }
            List<Timing> onePercent = new ArrayList<>();
            List<Timing> all = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                onePercent.add(run.batch(split(r % 100, keys, 100, parallelism)));
            }
            for (int r = 0; r < repeats; r++) {
                all.add(run.batch(split(0, keys, 1, parallelism)));
            }
            double allocPerRecord = meter.perLine(fed[0]);
            sampleNext[0] = true;
            run.batch(List.of());
            checkState("engine", keys, repeats, stateSize[0], held);
            sampleNext[0] = false;
            // Steady state: batches touching 1% of the keys each, with a checkpoint every checkpointEvery batches.
            List<Timing> steadyBatches = new ArrayList<>();
            long diskMax = 0;
            java.nio.file.Path stateDir = java.nio.file.Path.of(java.net.URI.create(dir)).resolve("state");
            int firstSteadyEvent = checkpoints.infos.size();
            Map<String, long[]> gcAtStart = collections();
            Map<String, Object> gcDuringSteady = new java.util.LinkedHashMap<>();
            long nextStart = System.nanoTime();
            // --warmup batches of the same kind first, not measured: the JVM's heap is then at its working size.
            for (int r = 0; r < warmup + steady || batchNumber[0] % checkpointEvery != 0; r++) {
                if (r == warmup) {
                    firstSteadyEvent = checkpoints.infos.size();
                    gcAtStart = collections();
                }
                if (r == warmup + steady) {
                    gcDuringSteady = collectionsSince(gcAtStart);
                }
                if (paceMs > 0) { // batches start at their interval, as a stream's do (a late one starts at once)
                    long wait = nextStart - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    nextStart += paceMs * 1_000_000;
                }
                Timing t = run.batch(split(r % 100, keys, 100, parallelism));
                if (r >= warmup && r < warmup + steady) {
                    steadyBatches.add(t);
                }
                diskMax = Math.max(diskMax, bytesUnder(stateDir));
            }
            if (gcDuringSteady.isEmpty()) {
                gcDuringSteady = collectionsSince(gcAtStart);
            }
            out.put("gcDuringSteady", gcDuringSteady);
            checkpoints.awaitWrittenAtLeast(kit.time().millis());
            // Two more batches: the metadata checkpoint then refers to the newest state checkpoint, after
            // which the writer deletes the files it no longer needs; wait (bounded) for that to settle.
            run.batch(List.of());
            run.batch(List.of());
            lastBatch[0] = kit.time().millis() / INTERVAL.toMillis();
            long diskLast = bytesUnder(stateDir);
            for (int i = 0; i < 50; i++) {
                Thread.sleep(200);
                long now = bytesUnder(stateDir);
                if (now == diskLast) {
                    break;
                }
                diskLast = now;
            }
            List<dev.sluice.streaming.CheckpointInfo> steadyInfos = List.copyOf(
                    checkpoints.infos.subList(firstSteadyEvent, checkpoints.infos.size()));
            out.put("normalBatchMs", percentiles(steadyBatches, false));
            out.put("checkpointBatchMs", percentiles(steadyBatches, true));
            Map<String, Object> p99 = new java.util.LinkedHashMap<>();
            List<Double> allSteady = steadyBatches.stream().map(Timing::millis).toList();
            p99.put("median", BenchReport.percentile(allSteady, 0.5));
            p99.put("p99", BenchReport.percentile(allSteady, 0.99));
            out.put("steadyBatchMs", p99);
            out.put("checkpointBytes", checkpointBytes(steadyInfos));
            long fullBytes = steadyInfos.stream().filter(i -> i.kind() == dev.sluice.streaming.CheckpointInfo.Kind.STATE_BASE)
                    .mapToLong(dev.sluice.streaming.CheckpointInfo::bytes).max()
                    .orElse(checkpoints.infos.stream().filter(i -> i.kind() == dev.sluice.streaming.CheckpointInfo.Kind.STATE_BASE)
                            .mapToLong(dev.sluice.streaming.CheckpointInfo::bytes).max().orElse(0));
            Map<String, Object> disk = new java.util.LinkedHashMap<>();
            disk.put("last", diskLast);
            disk.put("maxAfterABatch", diskMax);
            disk.put("fullCopy", fullBytes);
            disk.put("lastToFull", fullBytes == 0 ? Double.NaN : diskLast / (double) fullBytes);
            disk.put("maxToFull", fullBytes == 0 ? Double.NaN : diskMax / (double) fullBytes);
            out.put("bytesOnDisk", disk);
            double objectBytes = ObjectSizes.perEntry(held.stream().map(Pair::key).toList(),
                    held.stream().map(Pair::value).toList());
            out.put("split", "none");
            out.put("keys", keys);
            out.put("batch", batch);
            out.put("parallelism", parallelism);
        out.put("statePartitions", statePartitions);
            out.put("checkpointEvery", checkpointEvery);
            out.put("paceMs", paceMs);
            out.put("warmupBatches", warmup);
            out.put("loadBatchMedianMs", median(load));
            out.put("touch1pctMedianMs", median(onePercent));
            out.put("touchAllMedianMs", median(all));
            out.put("ratio1pctToAll", median(onePercent) / median(all));
            out.put("checkpointBatchesMs", checkpointBatches(load, onePercent, all));
            out.put("heapBytesPerKey", (heapAfter - heapBefore) / (double) keys);
            out.put("heapBytesPerKeyReadings", heapReadings);
            out.put("keyAndValueBytes", objectBytes);
            out.put("keyAndValueBytesMethod", "JOL over " + held.size() + " held (key, state) pairs");
            out.put("keyAndValueBytesHeapDelta", heapDeltaBytes);
            out.put("stateBytesPerKey", (heapAfter - heapBefore) / (double) keys - objectBytes);
            out.put("allocBytesPerRecord", allocPerRecord);
        }
        out.put("restore", restore(dir, parallelism, statePartitions, keys, checkpointEvery, lastBatch[0]));
        if (restoreChild) {
            out.put("restoreChildJvm", restoreInChild(dir, args, lastBatch[0]));
        }
        out.put("baseline", baseline);
        deleteRecursively(java.nio.file.Path.of(java.net.URI.create(dir))); // hundreds of MB at 10M keys
        System.out.println(BenchReport.Json.write(out));
    }

    /**
     * Restore, measured in this JVM with a fresh context (and engine) on the checkpoint directory
     * the run left: from building the kit (getOrCreate reads the metadata checkpoint) through the
     * recovery (manifest, then every partition's base and deltas read and bulk-loaded in parallel)
     * to the first new batch completed, one that touches 1% of the keys.
     */
    private static Map<String, Object> restore(String dir, int parallelism, int statePartitions, long keys,
                                               int checkpointEvery, long lastBatch) {
        System.gc();
        long start = System.nanoTime();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        // The batches up to the run's last (which recovery may recompute) are empty, as they were in the run
        // after its last state checkpoint; the first new batch touches 1% of the keys.
        List<List<KeyRange>> batches = new ArrayList<>();
        for (long i = 0; i < lastBatch + 10; i++) {
            batches.add(i + 1 > lastBatch ? split(7, keys, 100, parallelism) : List.of());
        }
        long firstBatchRecords = batches.get(batches.size() - 1).stream().mapToLong(KeyRange::size).sum();
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).parallelism(parallelism)
                .checkpointDir(dir).batchTimeout(Duration.ofHours(1)).build()) {
            Queue<Long> outputs = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<List<KeyRange>> replayable = new ArrayList<>(batches);
            MapWithStateDStream<String, Long, Long, Boolean> counts = PairDStream.<String, Long>of(kit
                    .input(replayable).<Pair<String, Long>>mapMulti((range, emit) -> {
                        for (long i = range.from(); i < range.to(); i += range.step()) {
                            emit.accept(Pair.of(key(i), i));
                        }
                    })).mapWithState(StateSpec.function(StateScaleBench::add).numPartitions(statePartitions))
                    .uid("counts");
            counts.checkpoint(INTERVAL.multipliedBy(checkpointEvery));
            counts.foreachBatch((ds, t) -> outputs.add(ds.count()));
            kit.run(1);
            double restoreMs = (System.nanoTime() - start) / 1e6;
            dev.sluice.streaming.RecoveryReport report = kit.context().recoveryReport().orElseThrow(
                    () -> new BenchCheckException("state-scale restore: the fresh context did not recover"));
            long restored = report.restoredKeys().getOrDefault("counts", -1L);
            if (restored != keys) {
                throw new BenchCheckException("state-scale restore: restored " + restored + " keys, expected " + keys);
            }
            Long firstOutput = null; // the new batch's: after those of batches recovery recomputed (empty)
            for (Long o = outputs.poll(); o != null; o = outputs.poll()) {
                if (firstOutput != null && firstOutput != 0) {
                    throw new BenchCheckException("state-scale restore: a recomputed batch output " + firstOutput
                            + " records, but it was empty");
                }
                firstOutput = o;
            }
            if (firstOutput == null || firstOutput != firstBatchRecords) {
                throw new BenchCheckException("state-scale restore: the first new batch output " + firstOutput
                        + " records, but it fed " + firstBatchRecords);
            }
            out.put("restoreMs", restoreMs);
            out.put("recoveryMs", report.took().toNanos() / 1e6);
            out.put("restoredKeys", restored);
            out.put("method", "fresh StreamingTestKit (new engine, getOrCreate) in the same JVM: build, recover, "
                    + "run the first new batch");
        }
        return out;
    }

    /**
     * Restore from process start: a child JVM (this JVM's heap and collector flags) runs
     * {@link #restore} on the checkpoint directory and reports, from its JVM's start time, when
     * the first new batch completed; the parent also times from launching it to that report.
     */
    private static Map<String, Object> restoreInChild(String dir, String[] args, long lastBatch) throws Exception {
        List<String> flags = new ArrayList<>();
        for (String flag : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The heap and GC settings (-Xmx, -Xms, -Xmn, -XX:...), so that a restart pays what this
            // JVM's settings cost at start (-XX:+AlwaysPreTouch touches the whole heap before main);
            // not a flight recording, whose file the child would fight this JVM over (nor -Xlog,
            // which none of the prefixes matches).
            boolean heapOrGc = flag.startsWith("-Xmx") || flag.startsWith("-Xms") || flag.startsWith("-Xmn")
                    || flag.startsWith("-XX:");
            if (heapOrGc && !flag.contains("FlightRecord")) {
                flags.add(flag);
            }
        }
        List<String> benchArgs = new ArrayList<>(List.of("state-scale"));
        benchArgs.addAll(List.of(args));
        benchArgs.addAll(List.of("--restore-only", dir, "--last-batch", String.valueOf(lastBatch)));
        BenchSuite.ChildOutput child = BenchSuite.runBenchChild("state-scale restore in a child JVM", flags,
                benchArgs, false);
        if (child.json().size() != 1 || !child.json().get(0).containsKey("processStartToFirstBatchMs")) {
            throw new BenchCheckException("state-scale restore in a child JVM printed " + child.json()
                    + ", not one report with processStartToFirstBatchMs");
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("launchToFirstBatchMs", child.launchToFirstJsonMs());
        out.putAll(child.json().get(0));
        out.put("method", "child JVM (same heap and GC flags): JVM start to the first new batch (1% of the keys) "
                + "completed, and launch to its report");
        return out;
    }

    /** Each collector's collections and their accumulated time (ms) so far, by collector name. */
    private static Map<String, long[]> collections() {
        Map<String, long[]> out = new java.util.LinkedHashMap<>();
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            out.put(gc.getName(), new long[] {gc.getCollectionCount(), gc.getCollectionTime()});
        }
        return out;
    }

    /**
     * Each collector's collections and time since {@code before}: for G1, "G1 Young Generation" counts
     * its young and mixed pauses, "G1 Old Generation" its full collections (the concurrent cycles' work
     * outside pauses is in neither).
     */
    private static Map<String, Object> collectionsSince(Map<String, long[]> before) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        collections().forEach((name, now) -> {
            long[] then = before.getOrDefault(name, new long[2]);
            Map<String, Object> figures = new java.util.LinkedHashMap<>();
            figures.put("count", now[0] - then[0]);
            figures.put("ms", now[1] - then[1]);
            out.put(name, figures);
        });
        return out;
    }

    /** Deletes the run's checkpoint directory; a file another thread deleted meanwhile is no error. */
    private static void deleteRecursively(java.nio.file.Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(dir)) {
            for (java.nio.file.Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Returns the bytes of the files under {@code dir} (Hadoop's .crc side files included). */
    private static long bytesUnder(java.nio.file.Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        for (int attempt = 1; ; attempt++) {
            try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile).mapToLong(f -> {
                    try {
                        return Files.size(f);
                    } catch (java.io.IOException e) {
                        return 0; // deleted meanwhile by the writer's cleanup
                    }
                }).sum();
            } catch (java.io.UncheckedIOException e) {
                // The walk met a file the writer renamed or deleted meanwhile (a manifest's temporary name): again.
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Records the state checkpoint events of the run. */
    private static final class CheckpointLog implements dev.sluice.streaming.StreamingListener {
        final List<dev.sluice.streaming.CheckpointInfo> infos = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Object lock = new Object();

        @Override
        public void onCheckpointWritten(dev.sluice.streaming.CheckpointInfo info) {
            if (info.kind() == dev.sluice.streaming.CheckpointInfo.Kind.METADATA) {
                return;
            }
            if (info.error().isPresent()) {
                System.err.println("state-scale: checkpoint failed: " + info);
            }
            infos.add(info);
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        /** Waits until a state checkpoint of batch {@code millis} or later was written (the newest submitted always is). */
        void awaitWrittenAtLeast(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            synchronized (lock) {
                while (infos.stream().noneMatch(i -> i.batchTime().millis() >= millis)) {
                    if (System.nanoTime() > deadline) {
                        throw new BenchCheckException("state-scale: no state checkpoint of batch " + millis
                                + " ms or later within 10 minutes; written: " + infos);
                    }
                    lock.wait(1000);
                }
            }
        }
    }

    private static Map<String, Object> percentiles(List<Timing> timings, boolean checkpointed) {
        List<Double> ms = timings.stream().filter(t -> t.checkpointed() == checkpointed).map(Timing::millis).toList();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("median", medianOf(ms));
        out.put("p99", ms.isEmpty() ? Double.NaN : BenchReport.percentile(ms, 0.99));
        out.put("batches", ms.size());
        return out;
    }

    private static Map<String, Object> checkpointBytes(List<dev.sluice.streaming.CheckpointInfo> infos) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        List<Map<String, Object>> each = new ArrayList<>();
        long deltaBytes = 0;
        long deltaKeys = 0;
        for (dev.sluice.streaming.CheckpointInfo i : infos) {
            Map<String, Object> one = new java.util.LinkedHashMap<>();
            one.put("batch", i.batchTime().millis());
            one.put("kind", i.kind().name());
            one.put("basePartitions", i.basePartitions());
            one.put("bytes", i.bytes());
            one.put("keys", i.keys());
            one.put("ms", i.duration().toNanos() / 1e6);
            each.add(one);
            if (i.kind() == dev.sluice.streaming.CheckpointInfo.Kind.STATE_DELTA && i.succeeded()) {
                deltaBytes += i.bytes();
                deltaKeys += i.keys();
            }
        }
        out.put("perCheckpoint", each);
        out.put("deltaBytesPerChangedKey", deltaKeys == 0 ? Double.NaN : deltaBytes / (double) deltaKeys);
        return out;
    }

    @FunctionalInterface
    private interface Runner {
        Timing batch(List<KeyRange> ranges);
    }

    private record Timing(double millis, boolean checkpointed, long records) {
    }

    private static Boolean add(String key, Optional<Long> value, State<Long> state) {
        state.update(state.toOptional().orElse(0L) + value.orElse(0L));
        return Boolean.TRUE;
    }

    /** {@code "k"} and {@code i} in 10 digits, zero-padded (as {@code String.format("k%010d")}, which parses its format each call). */
    static String key(long i) {
        char[] c = new char[11];
        c[0] = 'k';
        long v = i;
        for (int d = 10; d >= 1; d--) {
            c[d] = (char) ('0' + v % 10);
            v /= 10;
        }
        return new String(c);
    }

    private static List<KeyRange> split(long from, long to, long step, int parts) {
        List<KeyRange> ranges = new ArrayList<>();
        long count = (to - from + step - 1) / step;
        for (int p = 0; p < parts; p++) {
            long a = from + count * p / parts * step;
            long b = Math.min(to, from + count * (p + 1) / parts * step);
            ranges.add(new KeyRange(a, b, step));
        }
        return ranges;
    }

    /** The same updates on a {@code HashMap<String, Long>} in one thread. */
    private static Map<String, Object> hashMapBaseline(long keys, long batch, int repeats, int sample) {
        long heapBefore = heapUsed();
        Map<String, Long> map = new HashMap<>();
        List<Double> load = new ArrayList<>();
        for (long from = 0; from < keys; from += batch) {
            load.add(time(map, from, Math.min(keys, from + batch), 1));
        }
        long heapAfter = heapUsed();
        List<Double> onePercent = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            onePercent.add(time(map, r % 100, keys, 100));
        }
        for (int r = 0; r < repeats; r++) {
            all.add(time(map, 0, keys, 1));
        }
        List<Pair<String, Long>> held = new ArrayList<>();
        for (Map.Entry<String, Long> e : map.entrySet()) {
            if (held.size() == sample) {
                break;
            }
            held.add(Pair.of(e.getKey(), e.getValue()));
        }
        checkState("baseline", keys, repeats, map.size(), held);
        double objectBytes = ObjectSizes.perEntry(held.stream().map(Pair::key).toList(),
                held.stream().map(Pair::value).toList());
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("loadBatchMedianMs", medianOf(load));
        out.put("touch1pctMedianMs", medianOf(onePercent));
        out.put("touchAllMedianMs", medianOf(all));
        out.put("heapBytesPerKey", (heapAfter - heapBefore) / (double) keys);
        out.put("keyAndValueBytes", objectBytes);
        out.put("stateBytesPerKey", (heapAfter - heapBefore) / (double) keys - objectBytes);
        out.put("size", map.size());
        return out;
    }

    private static double time(Map<String, Long> map, long from, long to, long step) {
        long start = System.nanoTime();
        for (long i = from; i < to; i += step) {
            map.merge(key(i), i, Long::sum);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * The state of key {@code i} after the run: its index once per batch that touched it (the
     * load, the 1% batches of its residue, every all-keys batch).
     */
    static long expectedState(long i, int repeats) {
        long touches = 1 + repeats;
        for (int r = 0; r < repeats; r++) {
            if (i % 100 == r % 100) {
                touches++;
            }
        }
        return i * touches;
    }

    /** Checks the state's size and each sampled (key, state) pair against {@link #expectedState}. */
    static void checkState(String mode, long keys, int repeats, long size, List<Pair<String, Long>> sample) {
        if (size != keys) {
            throw new BenchCheckException("state-scale " + mode + ": the state holds " + size + " keys, expected "
                    + keys);
        }
        for (Pair<String, Long> p : sample) {
            long i = Long.parseLong(p.key().substring(1));
            if (p.value() != expectedState(i, repeats)) {
                throw new BenchCheckException("state-scale " + mode + ": key " + p.key() + " has state " + p.value()
                        + ", expected " + expectedState(i, repeats));
            }
        }
    }

    /**
     * The old estimate of one key string and one non-cached Long: a heap-used difference around
     * allocating many; kept for comparison with {@link ObjectSizes}.
     */
    private static double keyAndValueBytesHeapDelta(int n) {
        long before = heapUsed();
        Object[] held = new Object[2 * n];
        long arrayBytes = heapUsed() - before;
        for (int i = 0; i < n; i++) {
            held[2 * i] = key(i);
            held[2 * i + 1] = Long.valueOf(1_000_000L + i);
        }
        double bytes = (heapUsed() - before - arrayBytes) / (double) n;
        return held.length > 0 ? bytes : 0;
    }

    /** Heap readings after the load, {@code --checkpoint-every} idle batches apart; the least is reported. */
    private static final int HEAP_READINGS = 3;

    /**
     * Heap used after a full collection. One {@code System.gc()}: a full collection of a 10M-key
     * heap takes tens of seconds on a loaded 2-core machine, and a second one frees nothing more
     * (the GC log showed 1089M -> 1089M).
     */
    private static long heapUsed() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double median(List<Timing> timings) {
        List<Double> plain = new ArrayList<>();
        for (Timing t : timings) {
            if (!t.checkpointed()) {
                plain.add(t.millis());
            }
        }
        if (plain.isEmpty()) {
            timings.forEach(t -> plain.add(t.millis()));
        }
        return medianOf(plain);
    }

    private static double medianOf(List<Double> values) {
        return values.isEmpty() ? Double.NaN : BenchReport.percentile(values, 0.5);
    }

    @SafeVarargs
    private static List<Double> checkpointBatches(List<Timing>... phases) {
        List<Double> out = new ArrayList<>();
        for (List<Timing> phase : phases) {
            for (Timing t : phase) {
                if (t.checkpointed()) {
                    out.add(t.millis());
                }
            }
        }
        return out;
    }

    private static String stringOption(String[] args, String name, String defaultValue) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return defaultValue;
    }

    private static long option(String[] args, String name, long defaultValue) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Long.parseLong(args[i + 1].replace("_", ""));
            }
        }
        return defaultValue;
    }
}
