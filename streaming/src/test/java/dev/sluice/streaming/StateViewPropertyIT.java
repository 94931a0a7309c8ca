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
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a mapWithState function sees through its {@link State} matches a plain-Java model on
 * random batches of random scripts: each record's value is a short sequence of reads, updates
 * and removals, run on the engine's state and, with the same code, on a {@code HashMap}-backed
 * model state. Keys with and without state get different {@code State} classes in the engine
 * (so that C2 can remove the {@code Optional} of {@code toOptional()}); this checks that both
 * answer alike in every order of calls, including a read after a removal in the same call.
 */
class StateViewPropertyIT {
    /** Script steps, one decimal digit each: read, update, remove, exists-and-get. */
    private static final int READ = 1;
    private static final int UPDATE = 2;
    private static final int REMOVE = 3;
    private static final int GET = 4;

    @TempDir
    Path tempDir;

    static Stream<Long> seeds() {
        return IntStream.rangeClosed(1, 30).mapToObj(i -> (long) i);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void mapWithState_randomScripts_seeWhatAHashMapModelSees(long seed) {
        Random random = new Random(seed);
        List<List<Pair<String, Integer>>> batches = randomBatches(random);
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .parallelism(1 + random.nextInt(3)).checkpointDir(tempDir.toUri().toString()).build()) {
            MapWithStateDStream<String, Integer, Long, Pair<String, String>> mapped = kit.pairInput(batches)
                    .mapWithState(StateSpec.function(StateViewPropertyIT::apply).numPartitions(1 + random.nextInt(4)));
            BatchOutput<Pair<String, String>> outputs = kit.collect(mapped);
            BatchOutput<Pair<String, Long>> snapshots = kit.collect(mapped.stateSnapshots());
            kit.run(batches.size());

            Map<String, Long> model = new HashMap<>();
            for (int b = 0; b < batches.size(); b++) {
                List<Pair<String, String>> expected = new ArrayList<>();
                for (Pair<String, Integer> kv : batches.get(b)) {
                    ModelState state = new ModelState(model.get(kv.key()));
                    expected.add(Pair.of(kv.key(), run(kv.value(), state)));
                    if (state.value == null) {
                        model.remove(kv.key());
                    } else {
                        model.put(kv.key(), state.value);
                    }
                }
                assertThat(outputs.batch(b)).as("seed %d batch %d outputs", seed, b)
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(snapshots.batch(b)).as("seed %d batch %d snapshot", seed, b)
                        .containsExactlyInAnyOrderElementsOf(model.entrySet().stream()
                                .map(e -> Pair.of(e.getKey(), e.getValue())).toList());
            }
        }
    }

    private static Pair<String, String> apply(String key, Optional<Integer> script, State<Long> state) {
        return Pair.of(key, run(script.orElseThrow(), state));
    }

    /**
     * Runs the script {@code digits} (least significant digit first) on {@code state} and returns
     * what it saw; the engine and the model run this same code.
     */
    static String run(int digits, State<Long> state) {
        StringBuilder seen = new StringBuilder().append(state.exists() ? 'E' : 'N');
        boolean removed = false;
        for (int s = digits; s > 0; s /= 10) {
            switch (s % 10) {
                case READ -> seen.append(" r").append(state.toOptional().orElse(-1L));
                case UPDATE -> {
                    if (!removed) {
                        state.update(state.toOptional().orElse(0L) + 1);
                        seen.append(" u").append(state.toOptional().get());
                    }
                }
                case REMOVE -> {
                    if (state.exists() && !removed) {
                        state.remove();
                        removed = true;
                    }
                    seen.append(" d").append(state.toOptional().isPresent()).append(state.getOption().isEmpty());
                }
                case GET -> seen.append(" g").append(state.exists() ? state.get() : -3L);
                default -> throw new IllegalArgumentException("no script step " + s % 10);
            }
        }
        return seen.toString();
    }

    private static List<List<Pair<String, Integer>>> randomBatches(Random random) {
        int keySpace = 1 + random.nextInt(20);
        List<List<Pair<String, Integer>>> batches = new ArrayList<>();
        int n = 3 + random.nextInt(8);
        for (int b = 0; b < n; b++) {
            List<Pair<String, Integer>> batch = new ArrayList<>();
            int size = random.nextInt(5) == 0 ? 0 : random.nextInt(40);
            for (int i = 0; i < size; i++) {
                int script = 0;
                for (int step = 1 + random.nextInt(3); step > 0; step--) {
                    script = script * 10 + 1 + random.nextInt(4);
                }
                batch.add(Pair.of("k" + random.nextInt(keySpace), script));
            }
            batches.add(batch);
        }
        return batches;
    }

    /** The model: a key's state in a plain map, with the {@link State} contract's rules. */
    private static final class ModelState implements State<Long> {
        Long value;

        ModelState(Long value) {
            this.value = value;
        }

        @Override
        public boolean exists() {
            return value != null;
        }

        @Override
        public Long get() {
            if (value == null) {
                throw new NoSuchElementException("no state");
            }
            return value;
        }

        @Override
        public Optional<Long> toOptional() {
            return Optional.ofNullable(value);
        }

        @Override
        public void update(Long newState) {
            value = newState;
        }

        @Override
        public void remove() {
            value = null;
        }

        @Override
        public boolean isTimingOut() {
            return false;
        }
    }
}
