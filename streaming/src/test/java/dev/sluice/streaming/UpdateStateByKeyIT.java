package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.streaming.function.UpdateStateFunction;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdateStateByKeyIT {
    @TempDir
    Path tempDir;

    private StreamingTestKit kit() {
        return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(tempDir.toUri().toString()).build();
    }

    private static final UpdateStateFunction<Integer, Long> SUM = (values, state) -> {
        long total = state.orElse(0L);
        for (int v : values) {
            total += v;
        }
        return Optional.of(total);
    };

    private static List<Pair<String, Integer>> ones(String... keys) {
        return java.util.Arrays.stream(keys).map(k -> Pair.of(k, 1)).toList();
    }

    @Test
    void updateStateByKey_runningCounts_emitsFullStateEachBatch() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a", "b", "a"), ones("b"), List.of()));
            BatchOutput<Pair<String, Long>> out = kit.collect(in.updateStateByKey(SUM));
            kit.run(3);
            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 1L));
            assertThat(out.batch(1)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 2L));
            assertThat(out.batch(2)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 2L));
        }
    }

    @Test
    void updateStateByKey_keyWithoutNewData_isCalledWithEmptyList() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(List.of(Pair.of("a", 1), Pair.of("a", 2)),
                    ones("b")));
            BatchOutput<Pair<String, String>> out = kit.collect(in.updateStateByKey(
                    (List<Integer> values, Optional<String> state) -> Optional.of(state.orElse("") + values)));
            kit.run(2);
            assertThat(out.batch(0)).containsExactly(Pair.of("a", "[1, 2]"));
            assertThat(out.batch(1)).containsExactlyInAnyOrder(Pair.of("a", "[1, 2][]"), Pair.of("b", "[1]"));
        }
    }

    @Test
    void updateStateByKey_functionReturnsEmpty_removesKey() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a", "b"), List.of(Pair.of("a", -5))));
            BatchOutput<Pair<String, Long>> out = kit.collect(in.updateStateByKey(
                    (List<Integer> values, Optional<Long> state) -> values.contains(-5) ? Optional.empty()
                            : SUM.call(values, state)));
            kit.run(3);
            assertThat(out.batch(1)).containsExactly(Pair.of("b", 1L));
            assertThat(out.batch(2)).containsExactly(Pair.of("b", 1L));
        }
    }

    @Test
    void updateStateByKey_initialStateAndPartitioner_startsFromInitialStateInThosePartitions() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a")));
            var initial = kit.context().engine().parallelize(List.of(Pair.of("a", 10L), Pair.of("z", 7L)), 1);
            PairDStream<String, Long> state = in.updateStateByKey(SUM, new HashPartitioner(3), initial);
            BatchOutput<Pair<String, Long>> out = kit.collect(state);
            List<Integer> partitions = new java.util.concurrent.CopyOnWriteArrayList<>();
            state.foreachBatch((ds, t) -> partitions.add(ds.numPartitions()));
            kit.run(2);
            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", 11L), Pair.of("z", 7L));
            assertThat(out.batch(1)).containsExactlyInAnyOrder(Pair.of("a", 11L), Pair.of("z", 7L));
            assertThat(partitions).containsExactly(3, 3);
        }
    }

    @Test
    void updateStateByKey_numPartitions_readsPreviousStateWithoutShuffle() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a"), ones("b"), ones("c")));
            PairDStream<String, Long> state = in.updateStateByKey(SUM, 4);
            List<String> lineages = new ArrayList<>();
            state.foreachBatch((ds, t) -> lineages.add(ds.lineage()));
            kit.run(3);
            // Only the new batch is shuffled: one shuffle edge per batch, none on the state side.
            String third = lineages.get(2);
            assertThat(third).contains("(4) updateStateByKey");
            long shuffles = third.lines().filter(l -> l.contains("+-(shuffle)")).count();
            assertThat(shuffles).as(third).isEqualTo(3);
        }
    }

    @Test
    void start_withoutCheckpointDir_failsNamingUpdateStateByKey() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            kit.collect(kit.pairInput(List.of(ones("a"))).updateStateByKey(SUM));
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'updateStateByKey'").hasMessageContaining("checkpoint");
        }
    }

    @Test
    void checkpoint_onReturnedStream_setsTheStateInterval() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Long> state = kit.pairInput(List.of(ones("a"))).updateStateByKey(SUM)
                    .checkpoint(Duration.ofSeconds(2));
            kit.collect(state);
            kit.run(1);
            assertThat(state.checkpointInterval()).contains(Duration.ofSeconds(2));
        }
    }
}
