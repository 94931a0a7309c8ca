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
 * after it (once the datasets of the loading batches have been released), divided by the keys,
 * minus the measured size of one key {@code String} and one state {@code Long}.
 *
 * <p>Command (the full run needs about 4 GB of heap; use a quiet machine):
 * <pre>
 * mvn -B -q -DskipTests package
 * java -Xmx6g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench state-scale \
 *     --keys 10000000 --batch 1000000
 * </pre>
 * A smoke run: {@code --keys 200000 --batch 50000}.
 */
public final class StateScaleBench {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private StateScaleBench() {
    }

    /** One task's share of a batch: the keys {@code from, from + step, ...} below {@code to}. */
    record KeyRange(long from, long to, long step) {
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        long keys = option(args, "--keys", 10_000_000);
        long batch = option(args, "--batch", 1_000_000);
        int repeats = (int) option(args, "--repeats", 5);
        int parallelism = (int) option(args, "--parallelism", Runtime.getRuntime().availableProcessors());
        int checkpointEvery = (int) option(args, "--checkpoint-every", 10);

        double objectBytes = keyAndValueBytes();
        Map<String, Object> baseline = hashMapBaseline(keys, batch, repeats, objectBytes);   // first: a clean heap
        long heapBefore = heapUsed();
        Queue<List<KeyRange>> queue = new ArrayDeque<>();
        String dir = Files.createTempDirectory("state-scale-bench").toUri().toString();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).parallelism(parallelism)
                .checkpointDir(dir).batchTimeout(Duration.ofHours(1)).build()) {
            MapWithStateDStream<String, Long, Long, Boolean> counts = PairDStream.<String, Long>of(kit.context()
                    .<KeyRange>queueStream(queue).<Pair<String, Long>>mapMulti((range, emit) -> {
                        for (long i = range.from(); i < range.to(); i += range.step()) {
                            emit.accept(Pair.of(key(i), i));
                        }
                    }))
                    .mapWithState(StateSpec.function(StateScaleBench::add))
                    .checkpoint(INTERVAL.multipliedBy(checkpointEvery));
            counts.foreachBatch((ds, t) -> ds.count());
            int[] batchNumber = {0};
            Runner run = ranges -> {
                queue.add(ranges);
                batchNumber[0]++;
                long start = System.nanoTime();
                kit.run(1);
                return new Timing((System.nanoTime() - start) / 1e6, batchNumber[0] % checkpointEvery == 0);
            };
            List<Timing> load = new ArrayList<>();
            for (long from = 0; from < keys; from += batch) {
                load.add(run.batch(split(from, Math.min(keys, from + batch), 1, parallelism)));
            }
            for (int i = 0; i < 2 * checkpointEvery; i++) {
                run.batch(List.of());   // lets the loading batches' datasets go (remember = 2 checkpoints)
            }
            long heapAfter = heapUsed();
            List<Timing> onePercent = new ArrayList<>();
            List<Timing> all = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                onePercent.add(run.batch(split(r % 100, keys, 100, parallelism)));
            }
            for (int r = 0; r < repeats; r++) {
                all.add(run.batch(split(0, keys, 1, parallelism)));
            }
            out.put("keys", keys);
            out.put("batch", batch);
            out.put("parallelism", parallelism);
            out.put("checkpointEvery", checkpointEvery);
            out.put("loadBatchMedianMs", median(load));
            out.put("touch1pctMedianMs", median(onePercent));
            out.put("touchAllMedianMs", median(all));
            out.put("ratio1pctToAll", median(onePercent) / median(all));
            out.put("checkpointBatchesMs", checkpointBatches(load, onePercent, all));
            out.put("heapBytesPerKey", (heapAfter - heapBefore) / (double) keys);
            out.put("keyAndValueBytes", objectBytes);
            out.put("stateBytesPerKey", (heapAfter - heapBefore) / (double) keys - objectBytes);
        }
        out.put("baseline", baseline);
        System.out.println(BenchReport.Json.write(out));
    }

    @FunctionalInterface
    private interface Runner {
        Timing batch(List<KeyRange> ranges);
    }

    private record Timing(double millis, boolean checkpointed) {
    }

    private static Boolean add(String key, Optional<Long> value, State<Long> state) {
        state.update(state.toOptional().orElse(0L) + value.orElse(0L));
        return Boolean.TRUE;
    }

    static String key(long i) {
        return String.format(Locale.ROOT, "k%010d", i);
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
    private static Map<String, Object> hashMapBaseline(long keys, long batch, int repeats, double objectBytes) {
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
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("loadBatchMedianMs", medianOf(load));
        out.put("touch1pctMedianMs", medianOf(onePercent));
        out.put("touchAllMedianMs", medianOf(all));
        out.put("heapBytesPerKey", (heapAfter - heapBefore) / (double) keys);
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

    /** Measures the heap of one key string and one non-cached Long, averaged over many. */
    private static double keyAndValueBytes() {
        int n = 200_000;
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

    private static long heapUsed() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
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

    private static long option(String[] args, String name, long defaultValue) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Long.parseLong(args[i + 1].replace("_", ""));
            }
        }
        return defaultValue;
    }
}
