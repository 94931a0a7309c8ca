package dev.sluice.examples.bench;

import dev.sluice.core.spi.InputBlock;
import dev.sluice.examples.Args;
import dev.sluice.examples.bench.BenchReport.Json;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint;
import dev.sluice.streaming.checkpoint.MetadataCheckpointFormat;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore;
import dev.sluice.streaming.wal.ReceivedBlockHandle;
import dev.sluice.streaming.wal.WalOptions;
import dev.sluice.streaming.wal.WalPosition;
import dev.sluice.streaming.wal.WriteAheadLog;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;

/**
 * Cost of the durable-storage building blocks of issue 10, not yet wired into the context:
 *
 * <ul>
 *   <li>write-ahead-log appends of 100-byte records from 1, 2 and 4 threads with group commit,
 *       each thread waiting for each append to be durable (as {@code Receiver.store} will):
 *       records/s, µs per record and records per flush, for {@code hflush} and {@code hsync};
 *   <li>metadata checkpoint writes (temp + rename, CRC, pruning to the last 10) of a realistic
 *       small checkpoint: median and p99 µs per write.
 * </ul>
 *
 * <p>Rounds interleave the configurations, the first round is warm-up, and medians are over the
 * measured rounds. Command: {@code java -jar examples/target/sluice-examples.jar bench wal
 * [--dir file:///tmp/x | hdfs://nn/x] [--rounds 6] [--records 40000] [--sync-records 2000]
 * [--checkpoints 1000]}.
 */
public final class WalBench {
    private static final int RECORD_BYTES = 100;
    private static final int[] THREADS = {1, 2, 4};

    private WalBench() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse("bench wal", argv, Set.of("dir", "rounds", "records", "sync-records", "checkpoints"));
        String dir = args.has("dir") ? args.string("dir", null)
                : Files.createTempDirectory("sluice-wal-bench").toUri().toString();
        int rounds = args.integer("rounds", 6);
        int records = args.integer("records", 40_000);
        int syncRecords = args.integer("sync-records", 2_000);
        int checkpoints = args.integer("checkpoints", 1_000);
        Configuration conf = new Configuration();

        Map<String, List<double[]>> results = new LinkedHashMap<>();
        List<Double> checkpointMicros = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (WalOptions.Durability d : WalOptions.Durability.values()) {
                int n = d == WalOptions.Durability.SYNC ? syncRecords : records;
                for (int threads : THREADS) {
                    String run = dir + "/wal-r" + round + "-" + d + "-" + threads;
                    double[] r = appendRun(run, conf, WalOptions.defaults().withDurability(d), threads, n);
                    if (round > 0) {
                        results.computeIfAbsent(d + " " + threads, k -> new ArrayList<>()).add(r);
                    }
                }
            }
            List<Double> micros = checkpointRun(dir + "/meta-r" + round, conf, checkpoints);
            if (round > 0) {
                checkpointMicros.addAll(micros);
            }
        }
        report(results, checkpointMicros, dir);
    }

    /** Returns {seconds, appends/flush} of {@code threads} threads appending {@code total} records. */
    private static double[] appendRun(String dir, Configuration conf, WalOptions options, int threads, int total)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, options, conf)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<WalPosition>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int mine = total / threads;
                done.add(pool.submit(() -> {
                    byte[] record = new byte[RECORD_BYTES];
                    WalPosition last = null;
                    start.await();
                    for (int i = 0; i < mine; i++) {
                        record[0] = (byte) i;
                        last = wal.append(record);
                    }
                    return last;
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Future<WalPosition> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new double[] {seconds, (double) (total / threads * threads) / wal.flushCount(),
                    total / threads * threads};
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Double> checkpointRun(String dir, Configuration conf, int n) {
        MetadataCheckpointStore store = MetadataCheckpointStore.of(dir, conf);
        List<Double> micros = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            MetadataCheckpoint c = realisticCheckpoint(i * 1000L);
            long t0 = System.nanoTime();
            store.write(c);
            micros.add((System.nanoTime() - t0) / 1e3);
        }
        return micros;
    }

    /**
     * One socket receiver (4 logged blocks per batch), one file stream, two batches pending, and
     * three stateful operators: what a word count with a window and a state looks like.
     */
    static MetadataCheckpoint realisticCheckpoint(long time) {
        List<MetadataCheckpoint.PendingBatch> pending = new ArrayList<>();
        for (long b = time; b <= time + 1000; b += 1000) {
            List<ReceivedBlockHandle> blocks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                blocks.add(new ReceivedBlockHandle.Logged(new InputBlock(0, b / 250 + i), 25_000,
                        new WalPosition(b / 60_000 + 1, i * 2_600_000L)));
            }
            pending.add(new MetadataCheckpoint.PendingBatch(Time.ofMillis(b), Map.of(
                    "socket-0", new InputAllocation.ReceivedBlocks(blocks),
                    "files-1", new InputAllocation.FileNames(List.of("hdfs://nn/in/2026-12-01/part-" + b + ".txt")))));
        }
        Map<String, MetadataCheckpoint.OperatorState> ops = new HashMap<>();
        for (String uid : List.of("counts", "window-30s", "sessions")) {
            ops.put(uid, new MetadataCheckpoint.OperatorState(uid, Time.ofMillis(time - 1000),
                    "hdfs://nn/ckpt/word-count/run-5f0c/ds-" + uid.length() * 17, 8));
        }
        return new MetadataCheckpoint(MetadataCheckpointFormat.VERSION, Time.ofMillis(time), Duration.ofSeconds(1),
                Time.ofMillis(time - 1000), pending, ops, "hdfs://nn/ckpt/word-count/run-5f0c");
    }

    private static void report(Map<String, List<double[]>> results, List<Double> checkpointMicros, String dir) {
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            List<Double> seconds = e.getValue().stream().map(r -> r[0]).toList();
            double records = e.getValue().get(0)[2];
            double median = BenchReport.percentile(seconds, 0.5);
            String[] key = e.getKey().split(" ");
            System.out.println(new Json().put("bench", "wal-append").put("durability", key[0])
                    .put("threads", Integer.parseInt(key[1])).put("recordBytes", RECORD_BYTES)
                    .put("recordsPerRun", (long) records).put("runs", seconds.size())
                    .put("recordsPerSecMedian", (long) (records / median))
                    .put("microsPerRecordMedian", BenchReport.round3(median * 1e6 / records))
                    .put("recordsPerFlushMedian", BenchReport.round3(BenchReport.percentile(
                            e.getValue().stream().map(r -> r[1]).toList(), 0.5)))
                    .put("dir", dir.replaceAll("/[^/]*$", "/…")));
        }
        int bytes = MetadataCheckpointFormat.toBytes(realisticCheckpoint(1000)).length;
        System.out.println(new Json().put("bench", "metadata-checkpoint-write").put("fileBytes", bytes)
                .put("writes", checkpointMicros.size())
                .put("microsMedian", BenchReport.round3(BenchReport.percentile(checkpointMicros, 0.5)))
                .put("microsP99", BenchReport.round3(BenchReport.percentile(checkpointMicros, 0.99)))
                .put("peakRssMiB", BenchReport.peakRssMiB()).put("jvmFlags", BenchReport.jvmFlags()));
    }
}
