package dev.sluice.checkpoint.recovery;

import static dev.sluice.checkpoint.recovery.Restarts.INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.RecoveryReport;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.ManualClock;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading a program between runs on one checkpoint directory (v1 runs; v2 adds a stateless map;
 * v3 changes the batch interval; v4 renames a stateful uid), and the refusals of contexts that
 * must not start over or resume silently.
 */
class UpgradeAndRefusalTest {
    private static final long SEED = 42;
    private static final int BATCHES = 8;

    @TempDir
    Path tempDir;

    private static BatchOutput<Pair<String, Integer>> counts(StreamingTestKit kit, DStream<String> words, String uid) {
        PairDStream<String, Integer> counts = PairDStream.of(words.mapToPair(w -> Pair.of(w, 1)))
                .updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                        Optional.of(s.orElse(0) + vs.stream().mapToInt(Integer::intValue).sum()))
                .uid(uid);
        counts.checkpoint(Duration.ofSeconds(2));
        return kit.collect(counts);
    }

    private static StreamingTestKit kit(Path dir, Duration interval) {
        return StreamingTestKit.builder().batchInterval(interval).checkpointDir(dir.toUri().toString()).build();
    }

    private void runV1(Path dir, List<List<String>> input) {
        try (StreamingTestKit v1 = kit(dir, INTERVAL)) {
            counts(v1, v1.input(input).uid("words"), "counts");
            v1.run(4);
        }
    }

    @Test
    void v2_addsAStatelessMap_andResumesWithItsState() {
        List<List<String>> input = Restarts.words(SEED, BATCHES, 10);
        Path dir = tempDir.resolve("ckpt");
        runV1(dir, input);
        try (StreamingTestKit v2 = kit(dir, INTERVAL)) {
            // v2: a new stateless map before the state (and a filter that keeps everything).
            DStream<String> words = v2.input(input).uid("words").map(String::strip).filter(w -> !w.isEmpty());
            BatchOutput<Pair<String, Integer>> out = counts(v2, words, "counts");
            v2.run(BATCHES - 4);
            RecoveryReport report = v2.context().recoveryReport().orElseThrow();
            assertThat(report.restoredKeys()).as("seed %s: restored operators", SEED).containsOnlyKeys("counts");
            TreeMap<Long, List<String>> expected = new TreeMap<>(Restarts.runningCounts(input, BATCHES)
                    .tailMap(5 * INTERVAL.toMillis()));
            assertThat(Restarts.byTime(out)).as("seed %s: v2's counts continue v1's", SEED).isEqualTo(expected);
            long keysAt4 = input.subList(0, 4).stream().flatMap(List::stream).distinct().count();
            assertThat(report.restoredKeys().get("counts")).as("keys restored (state of batch 4 s)").isEqualTo(keysAt4);
        }
    }

    @Test
    void v3_changesTheBatchInterval_isRefusedWithOldAndNew() {
        Path dir = tempDir.resolve("ckpt");
        runV1(dir, Restarts.words(SEED, BATCHES, 10));
        try (StreamingTestKit v3 = kit(dir, Duration.ofSeconds(2))) {
            counts(v3, v3.input(Restarts.words(SEED, BATCHES, 10)).uid("words"), "counts");
            assertThatThrownBy(() -> v3.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("batch interval changed").hasMessageContaining("PT1S")
                    .hasMessageContaining("PT2S");
        }
    }

    @Test
    void v4_renamesAStatefulUid_isRefusedWithTheReport() {
        Path dir = tempDir.resolve("ckpt");
        runV1(dir, Restarts.words(SEED, BATCHES, 10));
        try (StreamingTestKit v4 = kit(dir, INTERVAL)) {
            counts(v4, v4.input(Restarts.words(SEED, BATCHES, 10)).uid("words"), "word-totals");
            assertThatThrownBy(() -> v4.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("matched []").hasMessageContaining("new graph [counts]")
                    .hasMessageContaining("new in the graph [word-totals]").hasMessageContaining("uid(");
        }
    }

    @Test
    void v4_withDroppingAllowed_startsTheRenamedOperatorEmpty() {
        List<List<String>> input = Restarts.words(SEED, BATCHES, 10);
        Path dir = tempDir.resolve("ckpt");
        runV1(dir, input);
        try (StreamingTestKit v4 = StreamingTestKit.builder().batchInterval(INTERVAL)
                .checkpointDir(dir.toUri().toString()).allowDroppingStateOfRemovedOperators(true).build()) {
            BatchOutput<Pair<String, Integer>> out = counts(v4, v4.input(input).uid("words"), "word-totals");
            v4.run(1);
            RecoveryReport report = v4.context().recoveryReport().orElseThrow();
            assertThat(report.droppedState()).containsExactly("counts");
            assertThat(report.startedEmpty()).containsExactly("word-totals");
            // Empty state: batch 5 counts only its own words.
            TreeMap<Long, List<String>> fresh = Restarts.runningCounts(input.subList(4, 5), 1);
            assertThat(Restarts.byTime(out).firstEntry().getValue()).as("seed %s", SEED)
                    .isEqualTo(fresh.firstEntry().getValue());
        }
    }

    @Test
    void getOrCreate_ofAContextWithAnotherCheckpointDir_isRefusedNamingBoth() {
        String wanted = tempDir.resolve("a").toUri().toString();
        String own = tempDir.resolve("b").toUri().toString();
        assertThatThrownBy(() -> StreamingContext.getOrCreate(wanted, () -> StreamingContext.builder()
                .batchInterval(INTERVAL).clock(new ManualClock()).checkpointDir(own).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(wanted).hasMessageContaining(own);
    }

    @Test
    void start_ofAPlainContext_overAnotherRunsCheckpoint_failsNamingTheDirectory() {
        Path dir = tempDir.resolve("ckpt");
        runV1(dir, Restarts.words(SEED, BATCHES, 10));
        String uri = dir.toUri().toString().replaceAll("/$", "");
        try (StreamingContext plain = StreamingContext.builder().batchInterval(INTERVAL).clock(new ManualClock())
                .checkpointDir(uri).build()) {
            plain.listStream(List.of(List.of("x"))).print();
            assertThatThrownBy(plain::start).isInstanceOf(IllegalStateException.class).hasMessageContaining(uri)
                    .hasMessageContaining("getOrCreate").hasMessageContaining("empty checkpoint directory");
        }
    }

    @Test
    void start_ofAPlainContext_onAnEmptyDirectory_writesCheckpoints() throws Exception {
        Path dir = tempDir.resolve("ckpt");
        try (StreamingTestKit kit = kit(dir, INTERVAL)) {
            counts(kit, kit.input(Restarts.words(SEED, BATCHES, 10)), "counts");
            kit.run(3);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("metadata-")))
                    .as("one metadata checkpoint per batch").hasSize(3);
        }
    }

    @Test
    void queueStream_inARecoverableContext_isRefusedAtStart() {
        try (StreamingTestKit kit = kit(tempDir.resolve("ckpt"), INTERVAL)) {
            kit.collect(kit.context().queueStream(new ArrayDeque<List<String>>()));
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("queueStream").hasMessageContaining("cannot be replayed");
        }
    }
}
