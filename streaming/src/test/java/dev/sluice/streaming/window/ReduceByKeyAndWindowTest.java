package dev.sluice.streaming.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dependency;
import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReduceByKeyAndWindowTest {
    private static final Duration ONE = Duration.ofSeconds(1);
    private static final Duration TWO = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private StreamingTestKit kit() {
        return StreamingTestKit.builder().batchInterval(ONE).checkpointDir(dir.toUri().toString()).build();
    }

    /** "a" in batches 1 and 2, gone in 3 and 4, back in 5; "b" only in batch 2. */
    private static List<List<Pair<String, Integer>>> vanishing() {
        return List.of(List.of(Pair.of("a", 1)), List.of(Pair.of("a", 2), Pair.of("b", 5)), List.of(), List.of(),
                List.of(Pair.of("a", 4)));
    }

    @Test
    void reduceByKeyAndWindow_withoutInverse_keysVanishAndReappear() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Pair<String, Integer>> out = kit.collect(kit.pairInput(vanishing())
                    .reduceByKeyAndWindow(Integer::sum, TWO));
            kit.run(6);
            assertThat(sortedBatches(out)).containsExactly(List.of(Pair.of("a", 1)), sorted(Pair.of("a", 3), Pair.of("b", 5)),
                    sorted(Pair.of("a", 2), Pair.of("b", 5)), List.of(), List.of(Pair.of("a", 4)),
                    List.of(Pair.of("a", 4)));
        }
    }

    @Test
    void reduceByKeyAndWindow_inverseWithoutFilter_keepsKeysBackAtTheIdentity() {
        try (StreamingTestKit kit = kit()) {
            BatchOutput<Pair<String, Integer>> out = kit.collect(kit.pairInput(vanishing())
                    .reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, TWO, ONE));
            kit.run(6);
            assertThat(sortedBatches(out)).containsExactly(List.of(Pair.of("a", 1)),
                    sorted(Pair.of("a", 3), Pair.of("b", 5)), sorted(Pair.of("a", 2), Pair.of("b", 5)),
                    sorted(Pair.of("a", 0), Pair.of("b", 0)), sorted(Pair.of("a", 4), Pair.of("b", 0)),
                    sorted(Pair.of("a", 4), Pair.of("b", 0)));
        }
    }

    @Test
    void reduceByKeyAndWindow_inverseWithFilter_dropsZerosAndKeysReappear() {
        try (StreamingTestKit kit = kit()) {
            BatchOutput<Pair<String, Integer>> out = kit.collect(kit.pairInput(vanishing())
                    .reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, TWO, ONE, 3, kv -> kv.value() != 0));
            kit.run(7);
            assertThat(sortedBatches(out)).containsExactly(List.of(Pair.of("a", 1)),
                    sorted(Pair.of("a", 3), Pair.of("b", 5)), sorted(Pair.of("a", 2), Pair.of("b", 5)), List.of(),
                    List.of(Pair.of("a", 4)), List.of(Pair.of("a", 4)), List.of());
        }
    }

    @Test
    void reduceByKeyAndWindow_inverseWithSlideOfTwoBatches_outputsAtSlideMultiples() {
        try (StreamingTestKit kit = kit()) {
            BatchOutput<Pair<String, Integer>> out = kit.collect(kit.pairInput(vanishing())
                    .reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, Duration.ofSeconds(3), TWO, 2,
                            kv -> kv.value() != 0));
            kit.run(8);
            assertThat(out.times()).extracting(t -> t.millis()).containsExactly(2000L, 4000L, 6000L, 8000L);
            assertThat(sortedBatches(out)).containsExactly(sorted(Pair.of("a", 3), Pair.of("b", 5)),
                    sorted(Pair.of("a", 2), Pair.of("b", 5)), List.of(Pair.of("a", 4)), List.of());
        }
    }

    @Test
    void reduceByKeyAndWindow_filterDropsAKeyStillInTheWindow_failsNamingTheKey() {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(ONE).failOnBatchError(false)
                .checkpointDir(dir.toUri().toString()).build()) {
            kit.collect(kit.pairInput(vanishing())
                    .reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, TWO, ONE, 2, kv -> !kv.key().equals("b")));
            kit.run(4);
            assertThat(kit.batchInfos().get(3).failure()).get().asString()
                    .contains("key b leaves the window but is not in the previous window's result");
        }
    }

    @Test
    void reduceByKeyAndWindow_inverseWithoutCheckpointDir_failsAtStartNamingTheOperation() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            kit.collect(kit.pairInput(vanishing()).reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, TWO, ONE));
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reduceByKeyAndWindow").hasMessageContaining("checkpoint directory");
        }
    }

    @Test
    void countByValueAndWindow_withoutCheckpointDir_failsAtStartNamingTheOperation() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            kit.collect(kit.input(List.of(List.of("a"))).countByValueAndWindow(TWO, ONE));
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("countByValueAndWindow").hasMessageContaining("checkpoint directory");
        }
    }

    @Test
    void reduceByKeyAndWindow_badLength_throwsNamingStreamAndDurations() {
        try (StreamingTestKit kit = StreamingTestKit.create(TWO)) {
            PairDStream<String, Integer> in = kit.pairInput(vanishing()).setName("counts");
            assertThatThrownBy(() -> in.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, Duration.ofSeconds(5),
                    Duration.ofSeconds(4)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("window length PT5S of reduceByKeyAndWindow over stream 'counts'")
                    .hasMessageContaining("slide PT2S; try PT4S or PT6S");
            assertThatThrownBy(() -> in.reduceByKeyAndWindow(Integer::sum, TWO, TWO, 0))
                    .hasMessageContaining("numPartitions must be > 0, got 0");
        }
    }

    @Test
    void reduceByKeyAndWindow_inverse_defaultCheckpointIntervalIsTenSecondsOfSlides() {
        try (StreamingTestKit kit = kit()) {
            DStream<?> base = kit.pairInput(vanishing())
                    .reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, Duration.ofSeconds(6), Duration.ofSeconds(3));
            kit.collect(base);
            kit.run(1);
            assertThat(base.checkpointInterval()).contains(Duration.ofSeconds(12));
        }
    }

    @Test
    void groupByKeyAndWindow_slideOfTwoBatches_groupsTheWindowsValues() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Pair<String, List<Integer>>> out = kit.collect(kit.pairInput(vanishing())
                    .groupByKeyAndWindow(Duration.ofSeconds(4), TWO));
            kit.run(6);
            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", List.of(1, 2)), Pair.of("b", List.of(5)));
            assertThat(out.batch(1)).containsExactlyInAnyOrder(Pair.of("a", List.of(1, 2)), Pair.of("b", List.of(5)));
            assertThat(out.batch(2)).containsExactly(Pair.of("a", List.of(4)));
        }
    }

    @Test
    void reduceByKeyAndWindow_inverse_mergesWithoutShufflingTheCarriedResult() {
        try (StreamingTestKit kit = kit()) {
            List<List<Dependency>> deps = Collections.synchronizedList(new ArrayList<>());
            kit.pairInput(vanishing()).reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, TWO, ONE)
                    .foreachBatch((ds, t) -> deps.add(ds.dependencies()));
            kit.run(4);
            assertThat(deps).hasSize(4).allSatisfy(d -> assertThat(d).noneMatch(Dependency::isShuffle));
            assertThat(deps.get(3)).hasSize(3); // previous result, one batch left, one entered
        }
    }

    @Test
    void reduceByKeyAndWindow_longRunWithCheckpoints_keepsMemoryAndLineageBounded() {
        try (StreamingTestKit kit = kit()) {
            List<List<Pair<Integer, Integer>>> input = new ArrayList<>();
            for (int b = 0; b < 200; b++) {
                input.add(List.of(Pair.of(b % 7, 1), Pair.of(b % 3, 1)));
            }
            PairDStream<Integer, Integer> in = kit.pairInput(input);
            PairDStream<Integer, Integer> windowed = in.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b,
                    Duration.ofSeconds(4), ONE, 2, kv -> kv.value() != 0);
            windowed.checkpoint(Duration.ofSeconds(3));
            List<Long> lineageLines = Collections.synchronizedList(new ArrayList<>());
            List<Integer> remembered = Collections.synchronizedList(new ArrayList<>());
            windowed.foreachBatch((ds, t) -> {
                lineageLines.add(ds.lineage().lines().count());
                remembered.add(in.rememberedTimes().size());
            });
            BatchOutput<Pair<Integer, Integer>> out = kit.collect(windowed);
            kit.run(200);
            assertThat(out.batch(199).stream().mapToInt(Pair::value).sum()).isEqualTo(8);
            // parents keep the window (4 s) plus the windowed stream's own memory (2 checkpoints = 6 s)
            assertThat(remembered.subList(20, 200)).allSatisfy(n -> assertThat(n).isBetween(4, 11));
            assertThat(in.rememberedTimes()).hasSizeLessThanOrEqualTo(11);
            // State checkpoints are asynchronous: the lineage is cut once one is durable, which may lag by up to
            // BatchCheckpointer.MAX_LAG_INTERVALS (4) checkpoint intervals; without cuts it would grow to ~1000 lines.
            assertThat(lineageLines.subList(20, 200)).allSatisfy(n -> assertThat(n).isLessThan(120L));
            assertThat(windowed.checkpointInterval()).contains(Duration.ofSeconds(3));
        }
    }

    @SafeVarargs
    private static <K extends Comparable<K>, V> List<Pair<K, V>> sorted(Pair<K, V>... pairs) {
        List<Pair<K, V>> out = new ArrayList<>(List.of(pairs));
        out.sort((x, y) -> x.key().compareTo(y.key()));
        return out;
    }

    private static <K extends Comparable<K>, V> List<List<Pair<K, V>>> sortedBatches(BatchOutput<Pair<K, V>> out) {
        List<List<Pair<K, V>>> all = new ArrayList<>();
        for (List<Pair<K, V>> b : out.batches()) {
            List<Pair<K, V>> copy = new ArrayList<>(b);
            copy.sort((x, y) -> x.key().compareTo(y.key()));
            all.add(copy);
        }
        return all;
    }
}
