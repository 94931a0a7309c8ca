package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * mapWithState, updateStateByKey and a plain HashMap agree on random batches: random keys and
 * values, random empty batches, and removals (a value of 0 removes the key; later values start
 * it again).
 */
class StatePropertyIT {
    @TempDir
    Path tempDir;

    static Stream<Long> seeds() {
        return IntStream.rangeClosed(1, 30).mapToObj(i -> (long) i);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void stateOperations_randomBatches_matchHashMapModel(long seed) {
        Random random = new Random(seed);
        List<List<Pair<String, Integer>>> batches = randomBatches(random);
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .parallelism(1 + random.nextInt(3)).checkpointDir(tempDir.toUri().toString()).build()) {
            PairDStream<String, Integer> in = kit.pairInput(batches);
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> mapped = in.mapWithState(
                    StateSpec.function(StatePropertyIT::apply).numPartitions(1 + random.nextInt(4)));
            BatchOutput<Pair<String, Long>> outputs = kit.collect(mapped);
            BatchOutput<Pair<String, Long>> snapshots = kit.collect(mapped.stateSnapshots());
            BatchOutput<Pair<String, Long>> updated = kit.collect(in.updateStateByKey(
                    (List<Integer> values, Optional<Long> state) -> {
                        Optional<Long> s = state;
                        for (int v : values) {
                            s = v == 0 ? Optional.empty() : Optional.of(s.orElse(0L) + v);
                        }
                        return s;
                    }, 1 + random.nextInt(4)));
            kit.run(batches.size() + 1);

            Map<String, Long> model = new HashMap<>();
            for (int b = 0; b <= batches.size(); b++) {
                List<Pair<String, Long>> expectedOutputs = new ArrayList<>();
                for (Pair<String, Integer> kv : b < batches.size() ? batches.get(b) : List.<Pair<String, Integer>>of()) {
                    if (kv.value() == 0) {
                        model.remove(kv.key());
                        expectedOutputs.add(Pair.of(kv.key(), -1L));
                    } else {
                        expectedOutputs.add(Pair.of(kv.key(), model.merge(kv.key(), (long) kv.value(), Long::sum)));
                    }
                }
                List<Pair<String, Long>> expectedState = model.entrySet().stream()
                        .map(e -> Pair.of(e.getKey(), e.getValue())).toList();
                assertThat(outputs.batch(b)).as("seed %d batch %d outputs", seed, b)
                        .containsExactlyInAnyOrderElementsOf(expectedOutputs);
                assertThat(snapshots.batch(b)).as("seed %d batch %d snapshot", seed, b)
                        .containsExactlyInAnyOrderElementsOf(expectedState);
                assertThat(updated.batch(b)).as("seed %d batch %d updateStateByKey", seed, b)
                        .containsExactlyInAnyOrderElementsOf(expectedState);
            }
        }
    }

    private static Pair<String, Long> apply(String key, Optional<Integer> value, State<Long> state) {
        if (value.orElse(1) == 0) {
            if (state.exists()) {
                state.remove();
            }
            return Pair.of(key, -1L);
        }
        long total = state.getOption().orElse(0L) + value.orElse(0);
        state.update(total);
        return Pair.of(key, total);
    }

    private static List<List<Pair<String, Integer>>> randomBatches(Random random) {
        int keySpace = 1 + random.nextInt(25);
        List<List<Pair<String, Integer>>> batches = new ArrayList<>();
        int n = 4 + random.nextInt(9);
        for (int b = 0; b < n; b++) {
            List<Pair<String, Integer>> batch = new ArrayList<>();
            int size = random.nextInt(4) == 0 ? 0 : random.nextInt(30);
            for (int i = 0; i < size; i++) {
                String key = "k" + random.nextInt(keySpace);
                batch.add(Pair.of(key, random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(9)));
            }
            batches.add(batch);
        }
        return batches;
    }
}
