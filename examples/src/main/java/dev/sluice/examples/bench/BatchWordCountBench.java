package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.examples.bench.BenchReport.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * W1 of {@code shared/bench/WORKLOADS.md} run as one batch job: the word count of an in-memory
 * dataset of {@code N} lines (batch 0 of the workload), parallelism 2, compared in the same JVM
 * with the plain-Java baselines of {@link Baselines}.
 *
 * <p>What it measures: the wall time of one action, {@code count()} of
 * {@code lines.<split>.mapToPair(w -> (w, 1)).reduceByKey(Integer::sum)}, over a dataset made once
 * with {@code engine.parallelize(lines, 2)} (the copy {@code parallelize} makes is not timed; the
 * rest of the pipeline is built anew each run so no shuffle output is reused). Two splitters:
 * {@code flatMap(l -> Arrays.asList(l.split(" ")))} and {@code mapMulti} with the hand
 * {@code indexOf} loop the baselines split with. Baselines: {@link Baselines#singleThread} and
 * {@link Baselines#twoThreads} on a long-lived two-thread pool. The four modes run interleaved
 * (a rotating order each round) so that machine noise spreads over all of them; warm-up rounds
 * are not reported. Every run's result must equal the distinct-word count, or the benchmark
 * fails.
 *
 * <p>Output: one JSON line per mode with {@code procMs} (median, p99, min, max of the measured
 * runs), {@code linesPerSecMedian}, {@code outputCounts}, {@code peakRssMiB} (the process's
 * {@code VmHWM}, so the same for every line) and {@code jvmFlags}; then one summary line with
 * the ratios of the engine's median throughput to the baselines'.
 *
 * <p>Command (after {@code mvn -B -q -o -DskipTests package}):
 * <pre>
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench batch-wordcount --lines 1000000 \
 *     [--warmup 10] [--iterations 15]
 * </pre>
 */
public final class BatchWordCountBench {
    private static final int PARALLELISM = 2;
    private static final String WORKLOAD = "W1-batch";

    private BatchWordCountBench() {
    }

    /** Runs the benchmark; see the class doc for the options. */
    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        List<String> lines = WorkloadData.batch(0, options.lines);
        long expected = Baselines.singleThread(lines);
        ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM, r -> {
            Thread t = new Thread(r, "baseline-worker");
            t.setDaemon(true);
            return t;
        });
        try (Engine engine = Engine.local(PARALLELISM)) {
            Dataset<String> source = engine.parallelize(lines, PARALLELISM);
            List<Mode> modes = List.of(
                    new Mode("engine-flatMap", () -> wordCountFlatMap(source)),
                    new Mode("engine-mapMulti", () -> wordCountMapMulti(source)),
                    new Mode("baseline-1thread", () -> Baselines.singleThread(lines)),
                    new Mode("baseline-2threads", () -> Baselines.twoThreads(lines, pool)));
            int rounds = options.warmup + options.iterations;
            for (int round = 0; round < rounds; round++) {
                boolean measured = round >= options.warmup;
                for (int i = 0; i < modes.size(); i++) {
                    modes.get((round + i) % modes.size()).runOnce(expected, measured);
                }
            }
            String flags = BenchReport.jvmFlags();
            long rss = BenchReport.peakRssMiB();
            for (Mode m : modes) {
                System.out.println(m.json(options, expected, rss, flags));
            }
            System.out.println(summary(options, modes));
        } finally {
            pool.shutdownNow();
        }
    }

    static long wordCountFlatMap(Dataset<String> lines) {
        return lines.flatMap(line -> Arrays.asList(line.split(" ")))
                .mapToPair(w -> Pair.of(w, 1))
                .reduceByKey(Integer::sum)
                .count();
    }

    static long wordCountMapMulti(Dataset<String> lines) {
        return lines.<String>mapMulti(Baselines::forEachWord)
                .mapToPair(w -> Pair.of(w, 1))
                .reduceByKey(Integer::sum)
                .count();
    }

    private static String summary(Options options, List<Mode> modes) {
        double single = modes.get(2).linesPerSecMedian(options.lines);
        double two = modes.get(3).linesPerSecMedian(options.lines);
        Json j = new Json().put("workload", WORKLOAD).put("mode", "summary")
                .put("linesPerBatch", options.lines);
        for (Mode m : modes.subList(0, 2)) {
            double engine = m.linesPerSecMedian(options.lines);
            j.put(m.name + "/baseline-1thread", BenchReport.round3(engine / single))
                    .put(m.name + "/baseline-2threads", BenchReport.round3(engine / two));
        }
        return j.put("target", "engine >= 1.2 x baseline-1thread").toString();
    }

    /** A way of counting the words; returns the distinct-word count. */
    @FunctionalInterface
    private interface WordCount {
        long run() throws Exception;
    }

    /** One mode: its body and its measured times. */
    private static final class Mode {
        final String name;
        final WordCount body;
        final List<Double> millis = new ArrayList<>();
        final List<Long> counts = new ArrayList<>();

        Mode(String name, WordCount body) {
            this.name = name;
            this.body = body;
        }

        void runOnce(long expected, boolean measured) throws Exception {
            long start = System.nanoTime();
            long count = body.run();
            double ms = (System.nanoTime() - start) / 1e6;
            if (count != expected) {
                throw new IllegalStateException(name + " counted " + count + " distinct words, expected " + expected);
            }
            if (measured) {
                millis.add(ms);
                counts.add(count);
            }
        }

        double median() {
            return BenchReport.percentile(millis, 0.5);
        }

        double linesPerSecMedian(int lines) {
            return lines / (median() / 1000);
        }

        String json(Options options, long expected, long rss, String flags) {
            Map<String, Object> proc = BenchReport.procMs(millis);
            return new Json().put("workload", WORKLOAD).put("mode", name).put("linesPerBatch", options.lines)
                    .put("parallelism", name.endsWith("1thread") ? 1 : PARALLELISM)
                    .put("warmupIterations", options.warmup).put("measuredBatches", millis.size())
                    .put("procMs", proc).put("linesPerSecMedian", Math.round(linesPerSecMedian(options.lines)))
                    .put("outputCounts", List.of(expected)).put("peakRssMiB", rss).put("jvmFlags", flags)
                    .toString();
        }
    }

    /** The command-line options. */
    private static final class Options {
        int lines = 1_000_000;
        int warmup = 10;
        int iterations = 15;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                checkArgument(i + 1 < args.length, "option %s needs a value", name);
                int value = Integer.parseInt(args[++i]);
                switch (name) {
                    case "--lines" -> o.lines = value;
                    case "--warmup" -> o.warmup = value;
                    case "--iterations" -> o.iterations = value;
                    default -> throw new IllegalArgumentException(
                            "unknown option " + name + "; options: --lines N --warmup W --iterations I");
                }
            }
            checkArgument(o.lines > 0, "--lines must be > 0, got %s", o.lines);
            checkArgument(o.warmup >= 0, "--warmup must be >= 0, got %s", o.warmup);
            checkArgument(o.iterations > 0, "--iterations must be > 0, got %s", o.iterations);
            return o;
        }
    }
}
