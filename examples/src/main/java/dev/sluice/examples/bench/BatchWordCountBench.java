package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.examples.Args;
import dev.sluice.examples.bench.BenchReport.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * rest of the pipeline is built anew each run so no shuffle output is reused). The splitter is
 * {@code --split} ({@link Splitter}): {@code indexOf} (the default; mode {@code engine-mapMulti},
 * {@code mapMulti} with the hand {@code indexOf} loop) or {@code regex} (mode
 * {@code engine-flatMap}, {@code flatMap(l -> Arrays.asList(l.split(" ")))}); the baselines,
 * {@link Baselines#singleThread} and {@link Baselines#twoThreads} on a long-lived two-thread
 * pool, split the same way. The three modes run interleaved (a rotating order each round) so that
 * machine noise spreads over all of them; warm-up rounds are not reported. Every run's result,
 * warm-up or measured, must equal the distinct-word count of a plain-Java {@link Reference}, or
 * the benchmark fails with a {@link BenchCheckException}. Bytes allocated per line by all
 * threads are summed over each mode's measured runs ({@link Allocation}).
 *
 * <p>Output: one JSON line per mode with {@code split}, {@code procMs} (median, p99, min, max of
 * the measured runs), {@code linesPerSecMedian}, {@code allocBytesPerLine}, {@code outputCounts},
 * {@code peakRssMiB} (the process's {@code VmHWM}, so the same for every line) and
 * {@code jvmFlags}; then one summary line with the ratios of the engine's median throughput to
 * the baselines' and {@code allocBytesPerLine} / {@code baselineAllocBytesPerLine}.
 *
 * <p>Command (after {@code mvn -B -q -o -DskipTests package -pl examples -am}):
 * <pre>
 * java -Xmx4g -XX:+UseParallelGC -jar examples/target/sluice-examples.jar bench batch-wordcount --lines 1000000 \
 *     [--warmup 10] [--iterations 15] [--split indexOf|regex]
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
        long expected = Reference.of("W1", List.of(lines), 1).expected(0);
        Splitter split = options.split;
        ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM, r -> {
            Thread t = new Thread(r, "baseline-worker");
            t.setDaemon(true);
            return t;
        });
        try (Engine engine = Engine.local(PARALLELISM)) {
            Dataset<String> source = engine.parallelize(lines, PARALLELISM);
            List<Mode> modes = List.of(
                    new Mode(split == Splitter.REGEX ? "engine-flatMap" : "engine-mapMulti",
                            () -> wordCount(source, split)),
                    new Mode("baseline-1thread", () -> Baselines.singleThread(lines, split)),
                    new Mode("baseline-2threads", () -> Baselines.twoThreads(lines, pool, split)));
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

    static long wordCount(Dataset<String> lines, Splitter split) {
        return split.words(lines)
                .mapToPair(w -> Pair.of(w, 1))
                .reduceByKey(Integer::sum)
                .count();
    }

    private static String summary(Options options, List<Mode> modes) {
        Mode engine = modes.get(0);
        Mode single = modes.get(1);
        double engineRate = engine.linesPerSecMedian(options.lines);
        return new Json().put("workload", WORKLOAD).put("mode", "summary").put("linesPerBatch", options.lines)
                .put("split", options.split.label())
                .put(engine.name + "/baseline-1thread",
                        BenchReport.round3(engineRate / single.linesPerSecMedian(options.lines)))
                .put(engine.name + "/baseline-2threads",
                        BenchReport.round3(engineRate / modes.get(2).linesPerSecMedian(options.lines)))
                .put("allocBytesPerLine", engine.alloc(options.lines))
                .put("baselineAllocBytesPerLine", single.alloc(options.lines))
                .put("target", "engine >= 1.2 x baseline-1thread").toString();
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
        final Allocation.Meter meter = new Allocation.Meter();

        Mode(String name, WordCount body) {
            this.name = name;
            this.body = body;
        }

        void runOnce(long expected, boolean measured) throws Exception {
            if (measured) {
                meter.start();
            }
            long start = System.nanoTime();
            long count = body.run();
            double ms = (System.nanoTime() - start) / 1e6;
            if (measured) {
                meter.stop();
            }
            if (count != expected) {
                throw new BenchCheckException(WORKLOAD + " " + name + ": run output " + count
                        + " distinct words, but the plain-Java reference expects " + expected);
            }
            if (measured) {
                millis.add(ms);
                counts.add(count);
            }
        }

        double median() {
            return BenchReport.percentile(millis, 0.5);
        }

        double alloc(int lines) {
            return meter.perLine((long) lines * millis.size());
        }

        double linesPerSecMedian(int lines) {
            return lines / (median() / 1000);
        }

        String json(Options options, long expected, long rss, String flags) {
            Map<String, Object> proc = BenchReport.procMs(millis);
            return new Json().put("workload", WORKLOAD).put("mode", name).put("linesPerBatch", options.lines)
                    .put("parallelism", name.endsWith("1thread") ? 1 : PARALLELISM)
                    .put("warmupIterations", options.warmup).put("measuredBatches", millis.size())
                    .put("split", options.split.label())
                    .put("procMs", proc).put("linesPerSecMedian", Math.round(linesPerSecMedian(options.lines)))
                    .put("allocBytesPerLine", alloc(options.lines))
                    .put("outputCounts", List.of(expected)).put("peakRssMiB", rss).put("jvmFlags", flags)
                    .toString();
        }
    }

    /** The command-line options. */
    private record Options(int lines, int warmup, int iterations, Splitter split) {
        static Options parse(String[] argv) {
            Args args = Args.parse("bench batch-wordcount", argv, Set.of("lines", "warmup", "iterations", "split"));
            Options o = new Options(args.integer("lines", 1_000_000), args.integer("warmup", 10),
                    args.integer("iterations", 15), Splitter.parse(args.string("split", "indexOf")));
            checkArgument(o.lines > 0, "--lines must be > 0, got %s", o.lines);
            checkArgument(o.warmup >= 0, "--warmup must be >= 0, got %s", o.warmup);
            checkArgument(o.iterations > 0, "--iterations must be > 0, got %s", o.iterations);
            return o;
        }
    }
}
