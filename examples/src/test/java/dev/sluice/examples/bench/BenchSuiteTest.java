package dev.sluice.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.bench.BenchReport.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchSuiteTest {

    @Test
    void tables_runsOfBothCollectors_showMediansRatiosAndBytesPerLine() {
        BenchSuite.Run parallel = run("W1-10k", "ParallelGC", 10.0, 20.0, 15.0);
        BenchSuite.Run g1 = run("W1-10k", "G1", 25.0, 30.0, 20.0);

        String table = BenchSuite.table(List.of(parallel, g1));
        String collectors = BenchSuite.collectorTable(List.of(parallel, g1));

        assertThat(table.lines()).hasSize(4);
        assertThat(table).contains("| W1-10k | ParallelGC | indexOf | 10.00 (12.00) | 11.00 | 20.00 | 15.00 | 2.00× | 1.50×"
                + " | 900 | 600 | 100 |");
        assertThat(table).contains("| W1-10k | G1 | indexOf | 25.00 (30.00) | 26.00 | 30.00 | 20.00 | 1.20× | 0.80×");
        assertThat(collectors).contains("| W1-10k | 10.00 | 25.00 | 2.50× | 1.50× | 20.00 / 50.00 | 0.10 / 0.25"
                + " | 1.00 / 2.50 | 100 / 100 |");
    }

    @Test
    void main_unknownCase_throwsNamingTheCases() {
        assertThatThrownBy(() -> BenchSuite.main(new String[] {"--cases", "W9"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("W1-10k");
    }

    @Test
    void cases_everyCaseOfTheReadme_hasFullAndQuickArguments() {
        assertThat(BenchSuite.cases()).extracting(BenchSuite.Case::name).containsExactly("W1-10k", "W1-100k",
                "W2inv", "W2noinv", "W3update", "W3mapws", "W4", "batch-wordcount");
        assertThat(BenchSuite.cases()).allSatisfy(c -> assertThat(c.quick().get(0)).isEqualTo(c.full().get(0)));
    }

    @Test
    void arguments_warmupAndBatchesGiven_replaceThoseOfStreamThroughputCasesOnly() {
        Map<String, BenchSuite.Case> byName = new LinkedHashMap<>();
        BenchSuite.cases().forEach(c -> byName.put(c.name(), c));

        assertThat(BenchSuite.arguments(byName.get("W3mapws"), false, null, "20", "40")).containsExactly(
                "W3mapws", "--lines", "100000", "--warmup", "20", "--batches", "40");
        assertThat(BenchSuite.arguments(byName.get("W2inv"), true, "regex", null, "9")).containsExactly(
                "W2inv", "--lines", "100000", "--window", "10", "--warmup", "3", "--batches", "9", "--split", "regex");
        assertThat(BenchSuite.arguments(byName.get("W4"), false, "regex", "1", "2"))
                .isEqualTo(byName.get("W4").full());
        assertThat(BenchSuite.arguments(byName.get("batch-wordcount"), false, null, "1", "2"))
                .isEqualTo(byName.get("batch-wordcount").full());
        assertThatThrownBy(() -> BenchSuite.main(new String[] {"--batches", "0"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--batches");
    }

    /** A run read back from JSON lines as a child prints them. */
    private static BenchSuite.Run run(String name, String gc, double engine, double one, double two) {
        Map<String, Map<String, Object>> byMode = new LinkedHashMap<>();
        for (String line : List.of(
                new Json().put("mode", "engine").put("split", "indexOf")
                        .put("procMs", Map.of("median", engine, "p99", engine * 1.2))
                        .put("wallMs", Map.of("median", engine + 1)).put("allocBytesPerLine", 900.0)
                        .put("peakRssMiB", 100).put("cpuMsPerBatch", engine * 2)
                        .put("gcPausesPerBatch", engine / 100).put("gcPauseMsPerBatch", engine / 10).toString(),
                new Json().put("mode", "baseline-1thread").put("procMs", Map.of("median", one))
                        .put("allocBytesPerLine", 600.0).toString(),
                new Json().put("mode", "baseline-2threads").put("procMs", Map.of("median", two)).toString())) {
            Map<String, Object> json = JsonReader.object(line);
            byMode.put((String) json.get("mode"), json);
        }
        return new BenchSuite.Run(name, gc, byMode);
    }
}
