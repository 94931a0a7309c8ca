package dev.sluice.examples.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.LineServer;
import dev.sluice.examples.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs every benchmark of the harness at a tiny size through the jar's entry point, so that a
 * broken harness fails the build: each run checks all its batches against its plain-Java
 * reference and would throw; here the JSON lines are read back and their fields checked.
 */
class BenchHarnessTest {
    private static final int LINES = 300;
    private static final int WARMUP = 2;
    private static final int BATCHES = 4;

    @ParameterizedTest(name = "{0} --split {1}")
    @CsvSource({"W1, indexOf, 2", "W1, regex, 2", "W2inv, regex, 1", "W2noinv, indexOf, 1", "W3update, regex, 1",
            "W3mapws, indexOf, 1", "W3mapws, regex, 1"})
    void throughputWorkload_tinyRun_checksEveryBatchAndReportsEngineBaselinesAndRatios(String workload, String split,
                                                                                      int baselines) {
        List<Map<String, Object>> lines = bench(workload, "--lines", String.valueOf(LINES), "--warmup",
                String.valueOf(WARMUP), "--batches", String.valueOf(BATCHES), "--rounds", "2", "--window", "3",
                "--split", split);

        assertThat(lines).hasSize(2 + baselines);
        assertThat(lines).allSatisfy(j -> assertThat(j).containsEntry("workload", workload)
                .containsEntry("split", split));
        Map<String, Object> engine = lines.get(0);
        assertThat(engine).containsEntry("mode", "engine").containsEntry("measuredBatches", (double) BATCHES)
                .containsEntry("checkedBatches", (double) (WARMUP + BATCHES)).containsEntry("rounds", 2.0)
                .containsEntry("checkpointDir", "temp");
        assertThat(stat(engine, "wallMs", "median")).as("wall time includes the processing time")
                .isGreaterThanOrEqualTo(stat(engine, "procMs", "median"));
        assertThat((Double) engine.get("allocBytesPerLine")).isPositive();
        for (Map<String, Object> mode : lines.subList(0, 1 + baselines)) {
            assertThat((Double) mode.get("gcPausesPerBatch")).as("%s gcPausesPerBatch", mode.get("mode"))
                    .isGreaterThanOrEqualTo(0.0);
            assertThat((Double) mode.get("gcPauseMsPerBatch")).as("%s gcPauseMsPerBatch", mode.get("mode"))
                    .isGreaterThanOrEqualTo(0.0);
        }
        Reference reference = Reference.of(workload, WorkloadData.pregenerate(LINES), 3);
        for (Map<String, Object> mode : lines.subList(0, 1 + baselines)) {
            assertThat(mode.get("outputCounts")).as("%s outputCounts", mode.get("mode"))
                    .isEqualTo(expectedFirst(reference, WARMUP + BATCHES));
            assertThat(mode).containsEntry("checkedBatches", (double) (WARMUP + BATCHES));
        }
        assertThat(lines.get(1)).containsEntry("mode", "baseline-1thread");
        Map<String, Object> summary = lines.get(lines.size() - 1);
        assertThat(summary).containsEntry("mode", "summary");
        assertThat((Double) summary.get("engine/baseline-1thread")).isPositive();
        assertThat((Double) summary.get("baselineAllocBytesPerLine")).isPositive();
    }

    @Test
    void w1_withoutACheckpointDirectory_runsCheckedAndSaysSo() {
        List<Map<String, Object>> lines = bench("W1", "--lines", String.valueOf(LINES), "--warmup",
                String.valueOf(WARMUP), "--batches", String.valueOf(BATCHES), "--checkpoint-dir", "none");

        Map<String, Object> engine = lines.get(0);
        assertThat(engine).containsEntry("mode", "engine").containsEntry("checkpointDir", "none")
                .containsEntry("checkedBatches", (double) (WARMUP + BATCHES));
        assertThat(engine.get("outputCounts"))
                .isEqualTo(expectedFirst(Reference.of("W1", WorkloadData.pregenerate(LINES), 3), WARMUP + BATCHES));
        assertThat(lines.get(lines.size() - 1)).containsEntry("mode", "summary").containsEntry("checkpointDir", "none");
    }

    @Test
    void throughput_checkpointDirNeitherTempNorNone_failsNamingTheOption() {
        assertThatThrownBy(() -> StreamingBench.run("W1", new String[] {"--lines", "10", "--checkpoint-dir",
                "file:///elsewhere"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--checkpoint-dir of a throughput run must be temp")
                .hasMessageContaining("got file:///elsewhere");
    }

    @Test
    void w1_referenceWrongForOneBatch_failsNamingThatBatch() {
        List<List<String>> data = WorkloadData.pregenerate(LINES);
        Reference right = Reference.of("W1", data, 3);
        Reference wrong = j -> j == 3 ? right.expected(j) + 1 : right.expected(j);
        StreamingBench.Config config = new StreamingBench.Config("W1", 1, 4, 2, 3, Splitter.INDEX_OF, true);

        assertThatThrownBy(() -> StreamingBench.throughput(config, data, wrong))
                .isInstanceOf(BenchCheckException.class)
                .hasMessage("W1 engine: batch 3 output %d, but the plain-Java reference expects %d", right.expected(3),
                        right.expected(3) + 1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void w4_tinyRun_everyBatchOutputsOne() {
        Map<String, Object> w4 = single(bench("W4", "--warmup", "2", "--batches", "5"));

        assertThat(w4).containsEntry("workload", "W4").containsEntry("split", "none")
                .containsEntry("measuredBatches", 5.0);
        assertThat((Double) w4.get("checkedBatches")).isGreaterThanOrEqualTo(7.0);
        assertThat((List<Object>) w4.get("outputCounts")).isNotEmpty().containsOnly(1.0);
        assertThat(stat(w4, "wallMs", "median")).isGreaterThanOrEqualTo(stat(w4, "procMs", "median"));
    }

    @Test
    void baseline_tinyRun_reportsTheTwoThreadLoopChecked() {
        Map<String, Object> b = single(bench("baseline", "--threads", "2", "--lines", "300", "--warmup", "1",
                "--batches", "3", "--split", "regex"));

        assertThat(b).containsEntry("mode", "baseline-2threads").containsEntry("split", "regex")
                .containsEntry("checkedBatches", 4.0);
    }

    @Test
    void batchWordCount_tinyRun_reportsModesOfTheSplitterWithTheReferenceCount() {
        List<Map<String, Object>> lines = bench("batch-wordcount", "--lines", "2000", "--warmup", "1",
                "--iterations", "2", "--split", "regex");
        long distinct = WorkloadData.batch(0, 2000).stream().flatMap(l -> Arrays.stream(l.split(" "))).distinct()
                .count();

        assertThat(lines).extracting(j -> j.get("mode"))
                .containsExactly("engine-flatMap", "baseline-1thread", "baseline-2threads", "summary");
        assertThat(lines).allSatisfy(j -> assertThat(j).containsEntry("split", "regex"));
        assertThat(lines.subList(0, 3)).allSatisfy(j -> assertThat(j)
                .containsEntry("outputCounts", List.of((double) distinct)));
        assertThat((Double) lines.get(3).get("allocBytesPerLine")).isPositive();
    }

    @Test
    void stateScale_tinyRun_checksTheStateAndSizesKeysWithJol() {
        Map<String, Object> out = single(bench("state-scale", "--keys", "3000", "--batch", "1000", "--repeats", "2",
                "--checkpoint-every", "5", "--parallelism", "2", "--sample", "500", "--steady", "10", "--pace-ms", "5"));

        assertThat(out).containsEntry("keys", 3000.0);
        assertThat(out).containsEntry("paceMs", 5.0);
        assertThat(out.get("restore")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("restoredKeys", 3000.0);
        assertThat(out.get("restoreChildJvm")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("restoredKeys", 3000.0)
                .hasEntrySatisfying("processStartToFirstBatchMs", ms -> assertThat((Double) ms).isPositive());
        assertThat(out.get("keyAndValueBytesMethod")).isEqualTo("JOL over 500 held (key, state) pairs");
        assertThat((Double) out.get("keyAndValueBytes")).isPositive();
        assertThat(out.get("baseline")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("size", 3000.0);
    }

    @Test
    void socket_tinyRunsWithAndWithoutBackpressure_countRecordsFromTheReceivers() {
        // The first run starts its own line server in a child JVM, as the benchmark does; the
        // second reads from one in this JVM (--port).
        Map<String, Object> on = single(bench("socket", "--seconds", "2", "--warmup", "1", "--max-rate", "20000"));
        Map<String, Object> off;
        try (LineServer server = LineServer.start(0, WorkloadData::line)) {
            off = single(bench("socket", "--seconds", "2", "--warmup", "1", "--max-rate", "20000",
                    "--no-backpressure", "--port", String.valueOf(server.port())));
        }

        assertThat(on).containsEntry("backpressure", "true");
        assertThat(off).containsEntry("backpressure", "false");
        for (Map<String, Object> run : List.of(on, off)) {
            assertThat((Double) run.get("measuredBatches")).isPositive();
            assertThat((Double) run.get("receivedRecords")).isPositive();
            assertThat((Double) run.get("receivedLinesPerSec")).isPositive();
        }
    }

    @Test
    void stateScale_expectedState_isIndexTimesTheBatchesThatTouchedTheKey() {
        // load + 3 all-keys batches, + the 1% batches r = 0..2 whose residue r matches
        assertThat(StateScaleBench.expectedState(101, 3)).isEqualTo(101 * 5);
        assertThat(StateScaleBench.expectedState(150, 3)).isEqualTo(150 * 4);
    }

    private static List<Object> expectedFirst(Reference reference, int batches) {
        List<Object> out = new ArrayList<>();
        for (int j = 0; j < Math.min(batches, WorkloadData.pregeneratedBatches(LINES)); j++) {
            out.add((double) reference.expected(j));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static double stat(Map<String, Object> json, String field, String stat) {
        return (Double) ((Map<String, Object>) json.get(field)).get(stat);
    }

    private static Map<String, Object> single(List<Map<String, Object>> lines) {
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    /** Runs {@code bench <args>} through {@link Main} and returns its JSON lines. */
    private static List<Map<String, Object>> bench(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "bench";
        System.arraycopy(args, 0, argv, 1, args.length);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(captured, true, UTF_8));
        try {
            Main.main(argv);
        } catch (Exception e) {
            throw new AssertionError("bench " + String.join(" ", args) + " failed", e);
        } finally {
            System.setOut(out);
        }
        return captured.toString(UTF_8).lines().filter(l -> l.startsWith("{")).map(JsonReader::object)
                .collect(Collectors.toList());
    }
}
