package dev.sluice.streaming.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowTest {
    private static final Duration ONE = Duration.ofSeconds(1);

    private static List<List<Integer>> batches() {
        return List.of(List.of(1), List.of(2, 3), List.of(4), List.of(5), List.of(6, 7), List.of(8));
    }

    private static List<Time> seconds(int... s) {
        return java.util.Arrays.stream(s).mapToObj(i -> new Time(i * 1000L)).toList();
    }

    @Test
    void window_lengthLargerThanSlide_unionsTheLastBatchesAtEveryBatch() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Integer> out = kit.collect(kit.input(batches()).window(Duration.ofSeconds(3)));
            kit.run(9);
            assertThat(out.times()).isEqualTo(seconds(1, 2, 3, 4, 5, 6, 7, 8, 9));
            assertThat(out.batch(0)).containsExactlyInAnyOrder(1);
            assertThat(out.batch(1)).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(out.batch(2)).containsExactlyInAnyOrder(1, 2, 3, 4);
            assertThat(out.batch(3)).containsExactlyInAnyOrder(2, 3, 4, 5);
            assertThat(out.batch(5)).containsExactlyInAnyOrder(5, 6, 7, 8);
            assertThat(out.batch(6)).containsExactlyInAnyOrder(6, 7, 8);
            assertThat(out.batch(7)).containsExactlyInAnyOrder(8);
            assertThat(out.batch(8)).isEmpty();
        }
    }

    @Test
    void window_lengthEqualToSlide_tumbles() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Integer> out = kit.collect(kit.input(batches())
                    .window(Duration.ofSeconds(2), Duration.ofSeconds(2)));
            kit.run(6);
            assertThat(out.times()).isEqualTo(seconds(2, 4, 6));
            assertThat(out.batches()).extracting(b -> b.stream().sorted().toList())
                    .containsExactly(List.of(1, 2, 3), List.of(4, 5), List.of(6, 7, 8));
        }
    }

    @Test
    void window_lengthMultipleOfSlideLargerThanBatch_outputsOnlyAtSlideMultiples() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Integer> out = kit.collect(kit.input(batches())
                    .window(Duration.ofSeconds(4), Duration.ofSeconds(2)));
            kit.run(7);
            assertThat(out.times()).isEqualTo(seconds(2, 4, 6));
            assertThat(out.batches()).extracting(b -> b.stream().sorted().toList())
                    .containsExactly(List.of(1, 2, 3), List.of(1, 2, 3, 4, 5), List.of(4, 5, 6, 7, 8));
        }
    }

    @Test
    void window_slideLargerThanLength_skipsTheBatchesBetweenWindows() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Integer> out = kit.collect(kit.input(batches())
                    .window(Duration.ofSeconds(1), Duration.ofSeconds(3)));
            kit.run(6);
            assertThat(out.times()).isEqualTo(seconds(3, 6));
            assertThat(out.batches()).containsExactly(List.of(4), List.of(8));
        }
    }

    @Test
    void window_emptyBatchesInside_coversTheOthers() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            List<List<Integer>> in = List.of(List.of(1), List.of(), List.of(), List.of(2), List.of());
            BatchOutput<Integer> out = kit.collect(kit.input(in).window(Duration.ofSeconds(4)));
            BatchOutput<Long> counts = kit.collect(kit.input(in).countByWindow(Duration.ofSeconds(4), ONE));
            kit.run(9);
            assertThat(out.batches()).containsExactly(List.of(1), List.of(1), List.of(1), List.of(1, 2), List.of(2),
                    List.of(2), List.of(2), List.of(), List.of());
            assertThat(counts.all()).containsExactly(1L, 1L, 1L, 2L, 1L, 1L, 1L, 0L, 0L);
        }
    }

    @Test
    void countByWindow_slideOfTwoBatches_countsEachWindowOnce() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Long> out = kit.collect(kit.input(batches())
                    .countByWindow(Duration.ofSeconds(3), Duration.ofSeconds(2)));
            kit.run(10);
            assertThat(out.times()).isEqualTo(seconds(2, 4, 6, 8, 10));
            assertThat(out.batches()).containsExactly(List.of(3L), List.of(4L), List.of(4L), List.of(1L), List.of(0L));
        }
    }

    @Test
    void reduceByWindow_withoutInverse_reducesEachWindowAndIsEmptyWithoutElements() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            BatchOutput<Integer> out = kit.collect(kit.input(batches())
                    .reduceByWindow(Integer::sum, Duration.ofSeconds(2), ONE));
            kit.run(8);
            assertThat(out.batches()).containsExactly(List.of(1), List.of(6), List.of(9), List.of(9), List.of(18),
                    List.of(21), List.of(8), List.of());
        }
    }

    @Test
    void reduceByWindow_withInverse_matchesTheSumsAndKeepsTheIdentity(@TempDir Path dir) {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(ONE)
                .checkpointDir(dir.toUri().toString()).build()) {
            BatchOutput<Integer> out = kit.collect(kit.input(batches())
                    .reduceByWindow(Integer::sum, (a, b) -> a - b, Duration.ofSeconds(2), ONE));
            kit.run(8);
            assertThat(out.batches()).containsExactly(List.of(1), List.of(6), List.of(9), List.of(9), List.of(18),
                    List.of(21), List.of(8), List.of(0));
        }
    }

    @Test
    void countByValueAndWindow_valuesLeaveAndReturn_countsAndDropsZeros(@TempDir Path dir) {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(ONE)
                .checkpointDir(dir.toUri().toString()).build()) {
            DStream<String> in = kit.input(List.of(List.of("a", "b", "a"), List.of("b"), List.of(), List.of("a")));
            BatchOutput<Pair<String, Long>> out = kit.collect(in.countByValueAndWindow(Duration.ofSeconds(2), ONE));
            kit.run(6);
            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 1L));
            assertThat(out.batch(1)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 2L));
            assertThat(out.batch(2)).containsExactlyInAnyOrder(Pair.of("b", 1L));
            assertThat(out.batch(3)).containsExactlyInAnyOrder(Pair.of("a", 1L));
            assertThat(out.batch(4)).containsExactlyInAnyOrder(Pair.of("a", 1L));
            assertThat(out.batch(5)).isEmpty();
        }
    }

    @Test
    void window_lengthNotMultipleOfSlide_throwsNamingStreamAndDurations() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(2))) {
            DStream<Integer> in = kit.input(batches()).setName("counts");
            assertThatThrownBy(() -> in.window(Duration.ofSeconds(5), Duration.ofSeconds(4)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("window length PT5S of window over stream 'counts' (stream ")
                    .hasMessageContaining("that stream's slide PT2S; try PT4S or PT6S")
                    .hasMessageContaining("window slide PT4S");
        }
    }

    @Test
    void window_slideNotMultiple_throwsNamingTheSlide() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(2))) {
            DStream<Integer> in = kit.input(batches()).setName("counts");
            assertThatThrownBy(() -> in.countByWindow(Duration.ofSeconds(4), Duration.ofSeconds(3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("window slide PT3S of countByWindow over stream 'counts'")
                    .hasMessageContaining("try PT2S or PT4S");
        }
    }

    @Test
    void window_zeroOrNegativeLength_throws() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            DStream<Integer> in = kit.input(batches());
            assertThatThrownBy(() -> in.window(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("window length PT0S").hasMessageContaining("try PT1S");
            assertThatThrownBy(() -> in.window(Duration.ofSeconds(-2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be a positive multiple");
        }
    }

    @Test
    void window_overWindow_slidesOfTheParentWindow() {
        try (StreamingTestKit kit = StreamingTestKit.create(ONE)) {
            DStream<Integer> pairs = kit.input(batches()).window(Duration.ofSeconds(2), Duration.ofSeconds(2));
            BatchOutput<Integer> out = kit.collect(pairs.window(Duration.ofSeconds(4), Duration.ofSeconds(4)));
            assertThatThrownBy(() -> pairs.window(Duration.ofSeconds(3)))
                    .hasMessageContaining("that stream's slide PT2S");
            kit.run(8);
            assertThat(out.times()).isEqualTo(seconds(4, 8));
            assertThat(out.batch(0)).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
            assertThat(out.batch(1)).containsExactlyInAnyOrder(6, 7, 8);
        }
    }
}
