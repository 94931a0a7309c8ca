package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.examples.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The README's benchmark set in one command: each case in its own JVM, under
 * {@code -XX:+UseParallelGC} and under G1 (only {@code -Xmx4g}), the two collectors interleaved
 * (their order alternates from case to case), then one markdown table of medians, ratios and
 * bytes per line, and one table comparing the collectors. Every run checks its outputs (see
 * {@link StreamingBench}); a run that fails or exits non-zero fails the suite, naming the case.
 *
 * <p>Cases: W1 at 10,000 and 100,000 lines, W2inv and W2noinv (window 10), W3update, W3mapws (all
 * 100,000 lines), W4, and batch-wordcount at 1,000,000 lines. The socket run is separate
 * ({@code bench socket}, see {@link SocketBench}): it needs its own line-server process and
 * a quiet machine.
 *
 * <p>Command (after {@code mvn -B -q -o -DskipTests package -pl examples -am}); at most about 12
 * minutes on two busy shared cores (a few on a quiet machine), {@code --quick} about half:
 * <pre>
 * java -jar examples/target/sluice-examples.jar bench suite [--quick] [--cases W1-10k,W3mapws] [--split regex]
 *     [--warmup W] [--batches B]
 * </pre>
 * {@code --warmup} and {@code --batches} replace the warm-up and measured batch counts of the
 * stream throughput cases (W1, W2, W3), for instance to measure a collector after its heap has
 * grown and its first marking cycles have run rather than in the first dozen batches.
 * The child JVMs' JSON lines are printed as they come, then the tables.
 */
public final class BenchSuite {
    /** The collectors, by the flags the child JVMs get (besides {@code -Xmx4g}). */
    private static final Map<String, List<String>> COLLECTORS = new LinkedHashMap<>();

    static {
        COLLECTORS.put("ParallelGC", List.of("-XX:+UseParallelGC"));
        COLLECTORS.put("G1", List.of());
    }

    private BenchSuite() {
    }

    /** One benchmark run of the suite: its name and its {@code bench} arguments (full and quick). */
    record Case(String name, List<String> full, List<String> quick) {
    }

    /** The README's set, sized so that the whole suite takes about 12 minutes on two shared cores. */
    static List<Case> cases() {
        return List.of(
                throughput("W1-10k", "W1", 10_000, 15, 25, 10, 10),
                throughput("W1-100k", "W1", 100_000, 6, 10, 4, 6),
                throughput("W2inv", "W2inv", 100_000, 4, 8, 3, 6),
                throughput("W2noinv", "W2noinv", 100_000, 4, 8, 3, 6),
                throughput("W3update", "W3update", 100_000, 4, 8, 3, 6),
                throughput("W3mapws", "W3mapws", 100_000, 4, 8, 3, 6),
                new Case("W4", List.of("W4", "--warmup", "20", "--batches", "60"),
                        List.of("W4", "--warmup", "10", "--batches", "50")),
                new Case("batch-wordcount", List.of("batch-wordcount", "--lines", "1000000", "--warmup", "2",
                        "--iterations", "5"), List.of("batch-wordcount", "--lines", "1000000", "--warmup", "2",
                        "--iterations", "3")));
    }

    private static Case throughput(String name, String workload, int lines, int warmup, int batches,
                                   int quickWarmup, int quickBatches) {
        List<String> common = new ArrayList<>(List.of(workload, "--lines", String.valueOf(lines)));
        if (workload.startsWith("W2")) {
            common.addAll(List.of("--window", "10"));
        }
        List<String> full = new ArrayList<>(common);
        full.addAll(List.of("--warmup", String.valueOf(warmup), "--batches", String.valueOf(batches)));
        List<String> quick = new ArrayList<>(common);
        quick.addAll(List.of("--warmup", String.valueOf(quickWarmup), "--batches", String.valueOf(quickBatches)));
        return new Case(name, List.copyOf(full), List.copyOf(quick));
    }

    /** One finished run: case, collector, and its JSON lines by mode. */
    record Run(String caseName, String collector, Map<String, Map<String, Object>> byMode) {
        Optional<Map<String, Object>> engine() {
            return byMode.entrySet().stream().filter(e -> e.getKey().startsWith("engine"))
                    .map(Map.Entry::getValue).findFirst();
        }

        Optional<Map<String, Object>> mode(String name) {
            return Optional.ofNullable(byMode.get(name));
        }
    }

    /** Runs {@code bench suite}; see the class doc. */
    public static void main(String[] argv) throws Exception {
        boolean quick = false;
        List<String> only = null;
        String split = null;
        String warmup = null;
        String batches = null;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--quick" -> quick = true;
                case "--cases" -> only = List.of(value(argv, ++i).split(","));
                case "--split" -> split = Splitter.parse(value(argv, ++i)).label();
                case "--warmup" -> warmup = positive(argv, ++i);
                case "--batches" -> batches = positive(argv, ++i);
                default -> throw new IllegalArgumentException("bench suite: unknown option '" + argv[i]
                        + "'; accepted: --quick, --cases NAME,..., --split indexOf|regex, --warmup W, --batches B");
            }
        }
        List<Case> selected = new ArrayList<>();
        for (Case c : cases()) {
            if (only == null || only.contains(c.name())) {
                selected.add(c);
            }
        }
        checkArgument(!selected.isEmpty(), "bench suite: --cases %s names no case; cases: %s", only,
                cases().stream().map(Case::name).toList());
        List<Run> runs = new ArrayList<>();
        List<String> collectors = new ArrayList<>(COLLECTORS.keySet());
        long start = System.nanoTime();
        for (int i = 0; i < selected.size(); i++) {
            Case c = selected.get(i);
            List<String> args = arguments(c, quick, split, warmup, batches);
            for (int k = 0; k < collectors.size(); k++) {
                String collector = collectors.get((i + k) % collectors.size());
                runs.add(runChild(c.name(), collector, args));
            }
        }
        System.out.println();
        System.out.println(table(runs));
        System.out.println();
        System.out.println(collectorTable(runs));
        System.out.printf(Locale.ROOT, "%nsuite took %.1f min%n", (System.nanoTime() - start) / 60e9);
    }

    /**
     * The {@code bench} arguments of case {@code c}: its full or quick ones, with {@code split}
     * and, for the stream throughput cases, {@code warmup} and {@code batches} if given (not null).
     */
    static List<String> arguments(Case c, boolean quick, String split, String warmup, String batches) {
        List<String> args = new ArrayList<>(quick ? c.quick() : c.full());
        if (split != null && !c.name().equals("W4")) {
            args.addAll(List.of("--split", split));
        }
        if (c.full().contains("--lines") && !c.name().equals("batch-wordcount")) {
            override(args, "--warmup", warmup);
            override(args, "--batches", batches);
        }
        return args;
    }

    /** Replaces the value of {@code option} in {@code args} by {@code value}, if one was given. */
    private static void override(List<String> args, String option, String value) {
        int at = args.indexOf(option);
        if (value != null && at >= 0) {
            args.set(at + 1, value);
        }
    }

    private static String positive(String[] argv, int i) {
        String v = value(argv, i);
        checkArgument(v.matches("[1-9][0-9]*"), "bench suite: %s must be a positive integer, got '%s'", argv[i - 1], v);
        return v;
    }

    private static String value(String[] argv, int i) {
        checkArgument(i < argv.length, "bench suite: option %s needs a value", argv[i - 1]);
        return argv[i];
    }

    /** Runs one case in a child JVM; prints and returns its JSON lines. */
    static Run runChild(String caseName, String collector, List<String> benchArgs) throws IOException,
            InterruptedException {
        List<String> flags = new ArrayList<>(List.of("-Xmx4g"));
        flags.addAll(COLLECTORS.get(collector));
        ChildOutput out = runBenchChild("bench suite: case " + caseName + " under " + collector, flags, benchArgs,
                true);
        Map<String, Map<String, Object>> byMode = new LinkedHashMap<>();
        for (Map<String, Object> json : out.json()) {
            byMode.put(String.valueOf(json.get("mode")), json);
        }
        return new Run(caseName, collector, byMode);
    }

    /** What a benchmark's child JVM printed: its JSON lines, and the ms from its launch to the first of them. */
    record ChildOutput(List<Map<String, Object>> json, double launchToFirstJsonMs) {
    }

    /**
     * Runs {@code bench <benchArgs>} of this jar in a child JVM with {@code jvmFlags}, its stderr
     * in a temporary log (deleted if it succeeds); {@code echo} prints each JSON line as it comes.
     *
     * @throws IllegalStateException naming {@code what}, with the command and the log's tail, if it exits non-zero
     */
    static ChildOutput runBenchChild(String what, List<String> jvmFlags, List<String> benchArgs, boolean echo)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench"));
        command.addAll(benchArgs);
        Path err = Files.createTempFile("sluice-bench-child-", ".log");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        List<Map<String, Object>> json = new ArrayList<>();
        double firstMs = Double.NaN;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("{")) {
                    if (json.isEmpty()) {
                        firstMs = (System.nanoTime() - start) / 1e6;
                    }
                    if (echo) {
                        System.out.println(line);
                    }
                    json.add(JsonReader.object(line));
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0) {
            List<String> log = Files.readAllLines(err);
            String tail = String.join(System.lineSeparator(), log.subList(Math.max(0, log.size() - 15), log.size()));
            throw new IllegalStateException(what + " exited with " + exit + " (command: " + String.join(" ", command)
                    + "); its log " + err + " ends:" + System.lineSeparator() + tail);
        }
        Files.deleteIfExists(err);
        return new ChildOutput(List.copyOf(json), firstMs);
    }

    /** The main table: one row per case and collector. */
    static String table(List<Run> runs) {
        StringBuilder s = new StringBuilder();
        s.append("| case | GC | split | engine median ms (p99) | engine wall ms | 1-thread ms | 2-thread ms"
                + " | engine / 1-thread | engine / 2-thread | B/line engine | B/line 1-thread | peak RSS MiB |\n");
        s.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Run r : runs) {
            Optional<Map<String, Object>> engine = r.engine();
            Optional<Map<String, Object>> one = r.mode("baseline-1thread");
            Optional<Map<String, Object>> two = r.mode("baseline-2threads");
            double e = median(engine, "procMs");
            s.append("| ").append(r.caseName()).append(" | ").append(r.collector()).append(" | ")
                    .append(engine.map(j -> String.valueOf(j.get("split"))).orElse("—")).append(" | ")
                    .append(fmt(e)).append(" (").append(fmt(stat(engine, "procMs", "p99"))).append(") | ")
                    .append(fmt(median(engine, "wallMs"))).append(" | ")
                    .append(fmt(median(one, "procMs"))).append(" | ")
                    .append(fmt(median(two, "procMs"))).append(" | ")
                    .append(ratio(median(one, "procMs"), e)).append(" | ")
                    .append(ratio(median(two, "procMs"), e)).append(" | ")
                    .append(fmt(number(engine, "allocBytesPerLine"))).append(" | ")
                    .append(fmt(number(one, "allocBytesPerLine"))).append(" | ")
                    .append(fmt(number(engine, "peakRssMiB"))).append(" |\n");
        }
        return s.toString().stripTrailing();
    }

    /**
     * Per case: the engine's and the 1-thread loop's median under G1 over that under ParallelGC,
     * then, as "ParallelGC / G1", the engine's process CPU per batch, its collection pauses per
     * batch and their milliseconds, and the peak RSS: where the G1 run's time went.
     */
    static String collectorTable(List<Run> runs) {
        StringBuilder s = new StringBuilder("| case | engine ms ParallelGC | engine ms G1 | engine G1 / ParallelGC"
                + " | 1-thread G1 / ParallelGC | engine CPU ms/batch | engine GC pauses/batch"
                + " | engine GC pause ms/batch | peak RSS MiB |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, Map<String, Run>> byCase = new LinkedHashMap<>();
        for (Run r : runs) {
            byCase.computeIfAbsent(r.caseName(), k -> new LinkedHashMap<>()).put(r.collector(), r);
        }
        byCase.forEach((name, byGc) -> {
            Run p = byGc.get("ParallelGC");
            Run g = byGc.get("G1");
            if (p == null || g == null) {
                return;
            }
            double ep = median(p.engine(), "procMs");
            double eg = median(g.engine(), "procMs");
            s.append("| ").append(name).append(" | ").append(fmt(ep)).append(" | ").append(fmt(eg)).append(" | ")
                    .append(ratio(eg, ep)).append(" | ")
                    .append(ratio(median(g.mode("baseline-1thread"), "procMs"),
                            median(p.mode("baseline-1thread"), "procMs"))).append(" | ")
                    .append(pair(p, g, "cpuMsPerBatch")).append(" | ").append(pair(p, g, "gcPausesPerBatch"))
                    .append(" | ").append(pair(p, g, "gcPauseMsPerBatch")).append(" | ")
                    .append(pair(p, g, "peakRssMiB")).append(" |\n");
        });
        return s.toString().stripTrailing();
    }

    /** The engine's {@code field} under ParallelGC and under G1, as "p / g". */
    private static String pair(Run parallel, Run g1, String field) {
        return fmt(number(parallel.engine(), field)) + " / " + fmt(number(g1.engine(), field));
    }

    private static double median(Optional<Map<String, Object>> json, String field) {
        return stat(json, field, "median");
    }

    @SuppressWarnings("unchecked")
    private static double stat(Optional<Map<String, Object>> json, String field, String stat) {
        return json.map(j -> j.get(field)).filter(Map.class::isInstance)
                .map(m -> ((Map<String, Object>) m).get(stat)).filter(Double.class::isInstance)
                .map(Double.class::cast).orElse(Double.NaN);
    }

    private static double number(Optional<Map<String, Object>> json, String field) {
        return json.map(j -> j.get(field)).filter(Double.class::isInstance).map(Double.class::cast)
                .orElse(Double.NaN);
    }

    private static String fmt(double x) {
        if (Double.isNaN(x)) {
            return "—";
        }
        return x >= 100 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.2f", x);
    }

    /** {@code a / b} as "1.23×", or a dash if either is missing. */
    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", a / b);
    }
}
