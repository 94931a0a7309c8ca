package dev.sluice.streaming.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.core.SluiceException;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.Test;

class StreamingTestKitTest {
    private static final Duration INTERVAL = Duration.ofMillis(250);

    @Test
    void run_wordCount_countsPerBatch() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<String> in = kit.input(List.of(List.of("a b", "b"), List.of("c")));
            BatchOutput<Pair<String, Integer>> out = kit.collect(in.flatMap(l -> List.of(l.split(" ")))
                    .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum));
            BatchOutput<Long> counts = kit.collect(in.count());
            kit.run(3);

            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", 1), Pair.of("b", 2));
            assertThat(out.batch(1)).containsExactly(Pair.of("c", 1));
            assertThat(out.batch(2)).isEmpty();
            assertThat(counts.batches()).containsExactly(List.of(2L), List.of(1L), List.of(0L));
        }
    }

    @Test
    void run_anyInterval_firstBatchIsAtOneInterval() {
        try (StreamingTestKit kit = StreamingTestKit.create(INTERVAL)) {
            BatchOutput<Integer> out = kit.collect(kit.input(List.of(List.of(1))));
            kit.run(3);

            assertThat(out.times()).containsExactly(new Time(250), new Time(500), new Time(750));
            assertThat(kit.time()).isEqualTo(new Time(750));
            assertThat(kit.batchInfos()).extracting(BatchInfo::batchTime).containsExactlyElementsOf(out.times());
        }
    }

    @Test
    void input_listI_isBatchIPlusOneInContiguousPartitions() {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).parallelism(3).build()) {
            DStream<Integer> in = kit.input(List.of(List.of(1, 2, 3, 4, 5, 6, 7), List.of(), List.of(8, 9)));
            Map<Time, List<List<Integer>>> partitions = new ConcurrentSkipListMap<>();
            in.foreachBatch((ds, time) -> partitions.put(time, ds.glom().collect()));
            kit.run(4);

            assertThat(partitions).containsExactly(
                    Map.entry(new Time(250), List.of(List.of(1, 2), List.of(3, 4), List.of(5, 6, 7))),
                    Map.entry(new Time(500), List.of(List.of(), List.of(), List.of())),
                    Map.entry(new Time(750), List.of(List.of(), List.of(8), List.of(9))),
                    Map.entry(new Time(1000), List.of(List.of(), List.of(), List.of())));
        }
    }

    @Test
    void run_calledRepeatedly_continuesFromTheLastBatch() {
        try (StreamingTestKit kit = StreamingTestKit.create(INTERVAL)) {
            BatchOutput<Integer> out = kit.collect(kit.input(List.of(List.of(1), List.of(2), List.of(3))));
            kit.run(1);
            kit.run(0);
            assertThat(out.batches()).containsExactly(List.of(1));

            kit.run(2);
            assertThat(out.batches()).containsExactly(List.of(1), List.of(2), List.of(3));
            assertThat(out.times()).containsExactly(new Time(250), new Time(500), new Time(750));
        }
    }

    @Test
    void run_batchFails_throwsWithUsersExceptionAsCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        try (StreamingTestKit kit = StreamingTestKit.create(INTERVAL)) {
            kit.input(List.of(List.of(1), List.of(2))).foreachBatch((ds, time) -> {
                if (ds.collect().contains(2)) {
                    throw boom;
                }
            });
            kit.run(1);

            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(SluiceException.class)
                    .hasMessageContaining("batch 500 ms").cause().isSameAs(boom);
        }
    }

    @Test
    void run_failOnBatchErrorFalse_continuesAfterAFailedBatch() {
        IllegalStateException boom = new IllegalStateException("boom");
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).failOnBatchError(false)
                .build()) {
            DStream<Integer> in = kit.input(List.of(List.of(1), List.of(2), List.of(3)));
            BatchOutput<Integer> out = kit.collect(in.map(x -> {
                if (x == 2) {
                    throw boom;
                }
                return x;
            }));
            kit.run(3);

            assertThat(out.batches()).containsExactly(List.of(1), List.of(3));
            assertThat(kit.batchInfos()).extracting(BatchInfo::succeeded).containsExactly(true, false, true);
            assertThat(kit.batchInfos().get(1).failure()).get().satisfies(f -> assertThat(f).hasRootCause(boom));
        }
    }

    @Test
    void builder_badArguments_failNamingTheArgument() {
        assertThatThrownBy(() -> StreamingTestKit.builder().parallelism(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
        assertThatThrownBy(() -> StreamingTestKit.builder().batchInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchInterval");
    }
}
