package dev.sluice.examples.bench;

import dev.sluice.core.Pair;
import dev.sluice.examples.Args;
import dev.sluice.examples.LineServer;
import dev.sluice.examples.bench.BenchReport.Json;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The socket end-to-end run of {@code shared/bench/WORKLOADS.md}: W1 (word count per batch) on
 * {@code socketTextStream} reading from a {@link LineServer} in a separate process, which writes
 * lines 0 … 999,999 of the workload over and over as fast as they are read. Batch interval 1 s,
 * the system clock, parallelism 2; the first {@code --warmup} seconds of batches are not counted.
 *
 * <p>Reports received lines/s from the receivers' own counters ({@code recordsStored} of
 * {@link StreamingContext#receiverStatuses()}, read when the last warm-up batch is submitted
 * (at its batch time) and when the last batch is, over the wall time between), processed lines/s (the input records
 * of the measured batches over the batch times they span, up to when the last of them completed),
 * the input records of the measured batches over their batch times ({@code batchInputLinesPerSec},
 * what {@code receivedLinesPerSec} used to be), and the median and p99 total delay (scheduling delay
 * plus processing time) and processing time per batch. Backpressure is on unless
 * {@code --no-backpressure} is given; {@code --max-rate N} caps each receiver at N records/s.
 * {@code --split indexOf|regex} picks the splitter ({@link Splitter}). {@code --port P} reads from
 * a line server already listening on 127.0.0.1:P instead of starting one.
 *
 * <p>Check: each succeeded batch's output (its distinct words) must be positive exactly when it had input,
 * and at most its words and the vocabulary size; else the run fails with a
 * {@link BenchCheckException} naming the batch.
 *
 * <p>Commands (after {@code mvn -B -q -o -DskipTests package -pl examples -am}):
 * <pre>
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench socket --seconds 30 --warmup 5
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench socket --seconds 15 --warmup 0 --no-backpressure
 * </pre>
 * Without backpressure the batches, the delay and the heap grow as long as the source is faster
 * than the engine: keep the run short, or cap it with {@code --max-rate}.
 */
public final class SocketBench {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private SocketBench() {
    }

    /** Runs the benchmark; see the class doc for the options. */
    public static void main(String[] argv) throws Exception {
        List<String> rest = new ArrayList<>(List.of(argv));
        boolean backpressure = !rest.remove("--no-backpressure");
        Args args = Args.parse("bench socket", rest.toArray(String[]::new),
                Set.of("seconds", "warmup", "split", "max-rate", "port"));
        Options options = new Options(args.integer("seconds", 30), args.integer("warmup", 5), backpressure,
                args.integer("max-rate", 0), Splitter.parse(args.string("split", "indexOf")));
        if (args.has("port")) {
            System.out.println(run(args.integer("port", 0), options));
            return;
        }
        int port = freePort();
        Process server = startServer(port);
        try {
            awaitListening(port, Duration.ofSeconds(60));
            System.out.println(run(port, options));
        } finally {
            server.destroy();
        }
    }

    /** The options; {@code maxRate} 0 means no cap. */
    private record Options(int seconds, int warmup, boolean backpressure, int maxRate, Splitter split) {
    }

    /** Receiver counters at one moment of wall time. */
    private record Stored(long nanos, long records) {
    }

    private static Json run(int port, Options o) throws InterruptedException {
        StreamingContext.Builder builder = StreamingContext.builder().appName("bench-socket").batchInterval(INTERVAL)
                .parallelism(2).webUi(false).backpressure(o.backpressure());
        if (o.maxRate() > 0) {
            builder.receiverMaxRate(o.maxRate());
        }
        StreamingContext ssc = builder.build();
        Map<Long, Long> outputs = new ConcurrentHashMap<>();
        o.split().words(ssc.socketTextStream("127.0.0.1", port))
                .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum, 2).count()
                .foreachBatch((ds, time) -> outputs.put(time.millis(), ds.collect().get(0)));
        List<BatchInfo> batches = new CopyOnWriteArrayList<>();
        AtomicReference<Stored> first = new AtomicReference<>();
        AtomicReference<Stored> last = new AtomicReference<>();
        ssc.addListener(new StreamingListener() {
            private int submitted;

            @Override
            public void onBatchSubmitted(Time batchTime, long numInputRecords) {
                Stored now = new Stored(System.nanoTime(), stored(ssc));
                if (++submitted == o.warmup()) {
                    first.compareAndSet(null, now);
                }
                last.set(now);
            }

            @Override
            public void onBatchCompleted(BatchInfo info) {
                batches.add(info);
            }
        });
        if (o.warmup() == 0) {
            first.set(new Stored(System.nanoTime(), 0));
        }
        ssc.start();
        ssc.awaitTerminationOrTimeout(INTERVAL.multipliedBy(o.warmup() + o.seconds() + 1));
        ssc.stop();
        List<BatchInfo> measured = batches.subList(Math.min(o.warmup(), batches.size()), batches.size());
        long records = 0;
        List<Double> totalDelay = new ArrayList<>();
        List<Double> processing = new ArrayList<>();
        int failed = 0;
        for (BatchInfo b : measured) {
            if (b.succeeded()) {
                check(b, outputs.get(b.batchTime().millis()));
            } else {
                failed++;   // the batch running when the context stops is interrupted
            }
            records += b.numInputRecords();
            totalDelay.add(b.totalDelay().toNanos() / 1e6);
            processing.add(b.processingTime().toNanos() / 1e6);
        }
        double fromBatches = 0;
        double processed = 0;
        if (!measured.isEmpty()) {
            BatchInfo firstBatch = measured.get(0);
            BatchInfo lastBatch = measured.get(measured.size() - 1);
            double span = (lastBatch.batchTime().millis() - firstBatch.batchTime().millis() + INTERVAL.toMillis())
                    / 1000.0;
            fromBatches = records / span;
            processed = records / (span + lastBatch.totalDelay().toNanos() / 1e9);
        }
        Stored a = first.get();
        Stored b = last.get();
        long receivedRecords = a == null || b == null ? 0 : b.records() - a.records();
        double received = a == null || b == null || b.nanos() <= a.nanos() ? 0
                : receivedRecords / ((b.nanos() - a.nanos()) / 1e9);
        return new Json().put("workload", "W1-socket").put("mode", "engine").put("split", o.split().label())
                .put("backpressure", String.valueOf(o.backpressure())).put("receiverMaxRate", o.maxRate())
                .put("measuredBatches", measured.size()).put("failedBatches", failed)
                .put("receivedLinesPerSec", Math.round(received)).put("processedLinesPerSec", Math.round(processed))
                .put("receivedRecords", receivedRecords).put("batchInputLinesPerSec", Math.round(fromBatches))
                .put("totalDelayMs", BenchReport.procMs(totalDelay)).put("procMs", BenchReport.procMs(processing))
                .put("peakRssMiB", BenchReport.peakRssMiB()).put("jvmFlags", BenchReport.jvmFlags());
    }

    /** The records all receivers have stored so far, by their own counters. */
    private static long stored(StreamingContext ssc) {
        long sum = 0;
        for (ReceiverStatus r : ssc.receiverStatuses()) {
            sum += r.recordsStored();
        }
        return sum;
    }

    /** A batch's distinct words: positive exactly when it had input, at most its words and the vocabulary. */
    private static void check(BatchInfo b, Long distinct) {
        long t = b.batchTime().millis();
        if (distinct == null) {
            throw new BenchCheckException("W1-socket engine: batch at " + t + " produced no output");
        }
        long bound = Math.min(b.numInputRecords() * WorkloadData.WORDS_PER_LINE, WorkloadData.VOCABULARY_SIZE);
        if ((b.numInputRecords() > 0) != (distinct > 0) || distinct > bound) {
            throw new BenchCheckException(String.format("W1-socket engine: batch at %d output %d distinct words for"
                    + " %d input lines; expected a count in [%d, %d]", t, distinct, b.numInputRecords(),
                    Math.min(1, bound), bound));
        }
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
