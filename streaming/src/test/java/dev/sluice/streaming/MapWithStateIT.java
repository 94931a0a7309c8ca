package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.core.SluiceException;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapWithStateIT {
    @TempDir
    Path tempDir;

    private StreamingTestKit kit() {
        return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(tempDir.toUri().toString()).build();
    }

    /** Counts records per key since the start; outputs (key, total so far). */
    static StateSpec<String, Integer, Long, Pair<String, Long>> runningCount() {
        return StateSpec.function(MapWithStateIT::countRecord);
    }

    static Pair<String, Long> countRecord(String key, Optional<Integer> value, State<Long> state) {
        long total = state.getOption().orElse(0L) + value.orElse(0);
        state.update(total);
        return Pair.of(key, total);
    }

    private static List<Pair<String, Integer>> ones(String... keys) {
        return java.util.Arrays.stream(keys).map(k -> Pair.of(k, 1)).toList();
    }

    @Test
    void mapWithState_runningCounts_outputsTotalsPerRecordAndSnapshots() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a", "b", "a"), ones("b"), List.of(),
                    ones("c", "a")));
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts = in.mapWithState(runningCount());
            BatchOutput<Pair<String, Long>> out = kit.collect(counts);
            BatchOutput<Pair<String, Long>> snapshots = kit.collect(counts.stateSnapshots());
            kit.run(5);
            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", 1L), Pair.of("b", 1L), Pair.of("a", 2L));
            assertThat(out.batch(0)).containsSubsequence(Pair.of("a", 1L), Pair.of("a", 2L));
            assertThat(out.batch(1)).containsExactly(Pair.of("b", 2L));
            assertThat(out.batch(2)).isEmpty();
            assertThat(out.batch(3)).containsExactlyInAnyOrder(Pair.of("c", 1L), Pair.of("a", 3L));
            assertThat(snapshots.batch(1)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 2L));
            assertThat(snapshots.batch(2)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 2L));
            assertThat(snapshots.batch(4))
                    .containsExactlyInAnyOrder(Pair.of("a", 3L), Pair.of("b", 2L), Pair.of("c", 1L));
        }
    }

    @Test
    void mapWithState_removeCalled_keyIsGoneAndStartsAgain() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(
                    List.of(Pair.of("a", 1), Pair.of("b", 1)), List.of(Pair.of("a", -1)), List.of(Pair.of("a", 5))));
            MapWithStateDStream<String, Integer, Long, String> counts = in.mapWithState(
                    StateSpec.function((String key, Optional<Integer> value, State<Long> state) -> {
                        if (value.orElse(0) < 0) {
                            state.remove();
                            return key + " removed";
                        }
                        long total = state.getOption().orElse(0L) + value.orElse(0);
                        state.update(total);
                        return key + "=" + total;
                    }));
            BatchOutput<String> out = kit.collect(counts);
            BatchOutput<Pair<String, Long>> snapshots = kit.collect(counts.stateSnapshots());
            kit.run(3);
            assertThat(out.batch(1)).containsExactly("a removed");
            assertThat(snapshots.batch(1)).containsExactly(Pair.of("b", 1L));
            assertThat(out.batch(2)).containsExactly("a=5");
            assertThat(snapshots.batch(2)).containsExactlyInAnyOrder(Pair.of("a", 5L), Pair.of("b", 1L));
        }
    }

    @Test
    void mapWithState_initialStateAndPartitioner_continuesFromInitialState() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a"), ones("a")));
            var initial = kit.context().engine().parallelize(List.of(Pair.of("a", 10L), Pair.of("z", 7L)), 1);
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts =
                    in.mapWithState(runningCount().initialState(initial).partitioner(new HashPartitioner(3)));
            BatchOutput<Pair<String, Long>> out = kit.collect(counts);
            BatchOutput<Pair<String, Long>> snapshots = kit.collect(counts.stateSnapshots());
            counts.stateSnapshots().foreachBatch((ds, t) -> assertThat(ds.numPartitions()).isEqualTo(3));
            kit.run(2);
            assertThat(out.batches()).containsExactly(List.of(Pair.of("a", 11L)), List.of(Pair.of("a", 12L)));
            assertThat(snapshots.batch(1)).containsExactlyInAnyOrder(Pair.of("a", 12L), Pair.of("z", 7L));
        }
    }

    @Test
    void mapWithState_timeout_callsOnceAtFirstBatchAtOrAfterDeadlineThenForgetsKey() {
        try (StreamingTestKit kit = kit()) {
            // a: updated at 1 s only, deadline 4 s. b: updated at 1 s and 3 s, deadline 6 s.
            // c (timeout 3 s): from the initial state, counted as updated at the first batch, 1 s.
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a", "b"), List.of(), ones("b")));
            var initial = kit.context().engine().parallelize(List.of(Pair.of("c", 100L)), 1);
            MapWithStateDStream<String, Integer, Long, String> counts = in.mapWithState(
                    StateSpec.function((String key, Optional<Integer> value, State<Long> state) -> {
                        if (state.isTimingOut()) {
                            return key + " timed out with " + state.get();
                        }
                        state.update(state.getOption().orElse(0L) + value.orElse(0));
                        return key + "=" + state.get();
                    }).timeout(Duration.ofSeconds(3)).initialState(initial));
            BatchOutput<String> out = kit.collect(counts);
            BatchOutput<Pair<String, Long>> snapshots = kit.collect(counts.stateSnapshots());
            kit.run(7);
            assertThat(out.batch(2)).containsExactly("b=2");
            assertThat(out.batch(3)).containsExactlyInAnyOrder("a timed out with 1", "c timed out with 100");
            assertThat(out.batch(4)).isEmpty();
            assertThat(out.batch(5)).containsExactly("b timed out with 2");
            assertThat(out.batch(6)).isEmpty();
            assertThat(snapshots.batch(2)).containsExactlyInAnyOrder(Pair.of("a", 1L), Pair.of("b", 2L),
                    Pair.of("c", 100L));
            assertThat(snapshots.batch(3)).containsExactly(Pair.of("b", 2L));
            assertThat(snapshots.batch(5)).isEmpty();
        }
    }

    @Test
    void mapWithState_timeoutNotAMultipleOfInterval_timesOutAtNextBatch() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a")));
            BatchOutput<String> out = kit.collect(in.mapWithState(
                    StateSpec.function((String key, Optional<Integer> value, State<Long> state) -> {
                        if (!state.isTimingOut()) {
                            state.update(1L);
                        }
                        return key + (state.isTimingOut() ? " timed out" : " seen");
                    }).timeout(Duration.ofMillis(2_500))));
            kit.run(5);
            // updated at 1 s, deadline 3.5 s: batch 3 s is before it, batch 4 s the first at or after it.
            assertThat(out.batches()).containsExactly(List.of("a seen"), List.of(), List.of(),
                    List.of("a timed out"), List.of());
        }
    }

    @Test
    void mapWithState_accessWithoutUpdate_postponesTimeout() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a"), List.of(), ones("a")));
            BatchOutput<String> out = kit.collect(in.mapWithState(
                    StateSpec.function((String key, Optional<Integer> value, State<Long> state) -> {
                        if (!state.exists()) {
                            state.update(1L);
                        }
                        return state.isTimingOut() ? "timeout" : "seen";
                    }).timeout(Duration.ofSeconds(2))));
            kit.run(6);
            // read (not updated) at 3 s: the deadline moves from 3 s to 5 s.
            assertThat(out.all()).containsExactly("seen", "seen", "timeout");
            assertThat(out.batch(4)).containsExactly("timeout");
        }
    }

    @Test
    void mapWithState_updateWhileTimingOut_failsTheBatchSayingWhy() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a")));
            kit.collect(in.mapWithState(StateSpec.function((String key, Optional<Integer> value, State<Long> state) -> {
                state.update(1L);
                return key;
            }).timeout(Duration.ofSeconds(1))));
            kit.run(1);
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(SluiceException.class)
                    .hasStackTraceContaining("cannot update the state of a key that is timing out");
        }
    }

    @Test
    void mapWithState_getWithoutState_failsTheBatchSayingWhy() {
        try (StreamingTestKit kit = kit()) {
            PairDStream<String, Integer> in = kit.pairInput(List.of(ones("a")));
            kit.collect(in.mapWithState(StateSpec.function(
                    (String key, Optional<Integer> value, State<Long> state) -> state.get())));
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(SluiceException.class)
                    .hasStackTraceContaining(NoSuchElementException.class.getName())
                    .hasStackTraceContaining("this key has no state");
        }
    }

    @Test
    void start_withoutCheckpointDir_failsNamingMapWithState() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            kit.collect(kit.pairInput(List.of(ones("a"))).mapWithState(runningCount()));
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'mapWithState'").hasMessageContaining("checkpointDir");
        }
    }

    @Test
    void checkpoint_onMapWithStateStream_setsTheStateInterval() {
        try (StreamingTestKit kit = kit()) {
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts =
                    kit.pairInput(List.of(ones("a"))).mapWithState(runningCount()).checkpoint(Duration.ofSeconds(3));
            kit.collect(counts);
            kit.run(1);
            assertThat(counts.checkpointInterval()).contains(Duration.ofSeconds(3));
            assertThatThrownBy(() -> counts.checkpoint(Duration.ofMillis(1_500)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void checkpoint_default_isSmallestMultipleOfSlideOfAtLeastTenSeconds() {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(3))
                .checkpointDir(tempDir.toUri().toString()).build()) {
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts =
                    kit.pairInput(List.of(ones("a"))).mapWithState(runningCount());
            kit.collect(counts);
            kit.run(1);
            assertThat(counts.checkpointInterval()).contains(Duration.ofSeconds(12));
        }
    }
}
