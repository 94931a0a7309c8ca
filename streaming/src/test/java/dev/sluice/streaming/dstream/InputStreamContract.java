package dev.sluice.streaming.dstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.storage.BlockId;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every input stream must do, whatever its source: batch {@code i + 1} holds exactly the
 * records handed to it before tick {@code i + 1}, in order, and once the context stopped it has
 * left nothing behind in the engine: no received blocks, no cached datasets. Each subclass is
 * one kind of input; the kit runs on an engine the test owns, so that the check after stop sees
 * what the engine still holds (closing the kit does not close that engine).
 */
@Timeout(60)
abstract class InputStreamContract {
    private Engine engine;
    protected StreamingTestKit kit;

    /** Returns the input under test; batch {@code i + 1} will hold {@code batches.get(i)}. */
    abstract DStream<String> input(StreamingTestKit kit, List<List<String>> batches) throws Exception;

    /** Hands batch {@code index}'s records to the source, before its tick. */
    abstract void beforeBatch(int index, List<String> records) throws Exception;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 3);
    }

    @BeforeEach
    void startEngine() {
        engine = Engine.builder().appName(getClass().getSimpleName()).parallelism(2).build();
        kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).engine(engine).build();
    }

    @AfterEach
    void stopAndCheckNothingIsLeftBehind() {
        try {
            kit.close();
            assertThat(storedBlocks()).as("blocks left in the engine after the context stopped (%s)",
                    getClass().getSimpleName()).isEmpty();
        } finally {
            engine.close();
        }
    }

    private Set<BlockId> storedBlocks() {
        return EngineServices.of(engine).runtime().blockStore().ids();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void batches_recordsHandedInBeforeEachTick_areThatBatchInOrder(long seed) throws Exception {
        List<List<String>> batches = randomBatches(new Random(seed));
        DStream<String> in = input(kit, batches);
        BatchOutput<String> out = kit.collect(in);
        DStream<String> cached = in.map(String::toUpperCase).cache();
        BatchOutput<Pair<String, Integer>> counts = kit.collect(
                cached.mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum));

        runBatches(batches);

        List<List<String>> expected = new ArrayList<>(batches);
        expected.add(List.of());
        assertThat(out.batches()).as("seed %d", seed).isEqualTo(expected);
        for (int b = 0; b < expected.size(); b++) {
            assertThat(toMap(counts.batch(b))).as("seed %d, counts of batch %d", seed, b)
                    .isEqualTo(upperCaseCounts(expected.get(b)));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void window_ofTwoBatches_holdsTheLastTwoBatchesRecords(long seed) throws Exception {
        List<List<String>> batches = randomBatches(new Random(seed));
        BatchOutput<String> windows = kit.collect(input(kit, batches).window(Duration.ofSeconds(2)).cache());

        runBatches(batches);

        for (int b = 0; b <= batches.size(); b++) {
            List<String> expected = new ArrayList<>(b > 0 ? batches.get(b - 1) : List.of());
            if (b < batches.size()) {
                expected.addAll(batches.get(b));
            }
            assertThat(windows.batch(b)).as("seed %d, window ending at batch %d", seed, b)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /** Starts the kit, then hands in and runs each batch, then one empty batch more. */
    private void runBatches(List<List<String>> batches) throws Exception {
        kit.run(0);
        for (int b = 0; b < batches.size(); b++) {
            beforeBatch(b, batches.get(b));
            kit.run(1);
            if (b == 0) {
                assertThat(storedBlocks()).as("the pipeline caches, so the check after stop is not vacuous")
                        .isNotEmpty();
            }
        }
        kit.run(1);
    }

    /** Returns 3 or 4 batches of up to 40 words from a small vocabulary; the first is never empty. */
    private static List<List<String>> randomBatches(Random rnd) {
        List<List<String>> out = new ArrayList<>();
        for (int b = 3 + rnd.nextInt(2); b > 0; b--) {
            List<String> batch = new ArrayList<>();
            int n = out.isEmpty() ? 1 + rnd.nextInt(40) : rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(40);
            for (int i = 0; i < n; i++) {
                batch.add("w" + rnd.nextInt(12));
            }
            out.add(batch);
        }
        return out;
    }

    private static Map<String, Integer> upperCaseCounts(List<String> words) {
        Map<String, Integer> out = new HashMap<>();
        for (String w : words) {
            out.merge(w.toUpperCase(), 1, Integer::sum);
        }
        return out;
    }

    private static Map<String, Integer> toMap(List<Pair<String, Integer>> pairs) {
        Map<String, Integer> out = new HashMap<>();
        for (Pair<String, Integer> p : pairs) {
            assertThat(out.put(p.key(), p.value())).as("key %s once", p.key()).isNull();
        }
        return out;
    }
}
