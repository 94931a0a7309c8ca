package dev.sluice.examples.bench;

import dev.sluice.core.Pair;
import dev.sluice.examples.Args;
import dev.sluice.examples.LineServer;
import dev.sluice.examples.bench.BenchReport.Json;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The socket end-to-end run of {@code shared/bench/WORKLOADS.md}: W1 (word count per batch) on
 * {@code socketTextStream} reading from a {@link LineServer} in a separate process, which writes
 * lines 0 … 999,999 of the workload over and over as fast as they are read. Batch interval 1 s,
 * the system clock, parallelism 2; the first {@code --warmup} seconds of batches are not counted.
 *
 * <p>Reports received lines/s (input records of the measured batches over the batch times they
 * span), processed lines/s (the same records over the span up to when the last of them completed),
 * and the median and p99 total delay (scheduling delay plus processing time) and processing time
 * per batch. Backpressure is on (the default), so the receiver takes in what the engine processes.
 *
 * <p>Command (after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench socket --seconds 30 --warmup 5
 * </pre>
 */
public final class SocketBench {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private SocketBench() {
    }

    /** Runs the benchmark; see the class doc for the options. */
    public static void main(String[] argv) throws Exception {
        Args args = Args.parse("bench socket", argv, Set.of("seconds", "warmup"));
        int seconds = args.integer("seconds", 30);
        int warmup = args.integer("warmup", 5);
        int port = freePort();
        Process server = startServer(port);
        try {
            awaitListening(port, Duration.ofSeconds(60));
            System.out.println(run(port, seconds, warmup));
        } finally {
            server.destroy();
        }
    }

    private static Json run(int port, int seconds, int warmup) throws InterruptedException {
        StreamingContext ssc = StreamingContext.builder().appName("bench-socket").batchInterval(INTERVAL)
                .parallelism(2).webUi(false).build();
        ssc.socketTextStream("127.0.0.1", port).<String>mapMulti(Baselines::forEachWord)
                .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum, 2).count()
                .foreachBatch((ds, time) -> ds.collect());
        List<BatchInfo> batches = new CopyOnWriteArrayList<>();
        ssc.addListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchInfo info) {
                batches.add(info);
            }
        });
        ssc.start();
        ssc.awaitTerminationOrTimeout(INTERVAL.multipliedBy(warmup + seconds + 1));
        ssc.stop();
        List<BatchInfo> measured = batches.subList(Math.min(warmup, batches.size()), batches.size());
        long records = 0;
        List<Double> totalDelay = new ArrayList<>();
        List<Double> processing = new ArrayList<>();
        for (BatchInfo b : measured) {
            records += b.numInputRecords();
            totalDelay.add(b.totalDelay().toNanos() / 1e6);
            processing.add(b.processingTime().toNanos() / 1e6);
        }
        double received = 0;
        double processed = 0;
        if (!measured.isEmpty()) {
            BatchInfo first = measured.get(0);
            BatchInfo last = measured.get(measured.size() - 1);
            double span = (last.batchTime().millis() - first.batchTime().millis() + INTERVAL.toMillis()) / 1000.0;
            received = records / span;
            processed = records / (span + last.totalDelay().toNanos() / 1e9);
        }
        return new Json().put("workload", "W1-socket").put("mode", "engine").put("measuredBatches", measured.size())
                .put("receivedLinesPerSec", Math.round(received)).put("processedLinesPerSec", Math.round(processed))
                .put("totalDelayMs", BenchReport.procMs(totalDelay)).put("procMs", BenchReport.procMs(processing))
                .put("peakRssMiB", BenchReport.peakRssMiB()).put("jvmFlags", BenchReport.jvmFlags());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the line server in its own JVM (same jar), so it does not share this one's cores' JIT and GC. */
    private static Process startServer(int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("java.class.path");
        return new ProcessBuilder(java, "-Xmx1g", "-cp", classpath, LineServer.class.getName(), "--port",
                String.valueOf(port)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(new File(System.getProperty("java.io.tmpdir"), "sluice-line-server.log")).start();
    }

    /** Waits until the server accepts connections (it encodes its lines first); bounded by {@code timeout}. */
    private static void awaitListening(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("line server on port " + port + " did not start within " + timeout);
    }
}
