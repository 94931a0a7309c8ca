package dev.sluice.streaming.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.storage.BlockId;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.streaming.MapWithStateDStream;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state stream remembers two checkpoint intervals of state datasets (for lineage), but keeps
 * only the newest in memory: caching every remembered one would pin a copy of the state per batch.
 */
class StateCacheTest {
    private static final int BATCHES = 12;
    private static final int RECORDS_PER_BATCH = 50;
    private static final int PARALLELISM = 2;

    @TempDir
    Path checkpoints;

    @Test
    void mapWithState_afterManyBatches_cachesOnlyTheNewestStateButRemembersOlderOnes() {
        List<List<Pair<String, Integer>>> input = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<Pair<String, Integer>> batch = new ArrayList<>();
            for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                batch.add(Pair.of("k" + i % 7, 1));
            }
            input.add(batch);
        }
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .parallelism(PARALLELISM).checkpointDir(checkpoints.toUri().toString()).build()) {
            MapWithStateDStream<String, Integer, Integer, Integer> counts = kit.pairInput(input).mapWithState(
                    StateSpec.<String, Integer, Integer, Integer>function((key, one, state) -> {
                        int count = state.getOption().orElse(0) + one.orElse(0);
                        state.update(count);
                        return count;
                    }));
            BatchOutput<Integer> out = kit.collect(counts);
            BatchOutput<Pair<String, Integer>> snapshots = kit.collect(counts.stateSnapshots());
            kit.run(BATCHES);

            assertThat(out.all()).hasSize(BATCHES * RECORDS_PER_BATCH);
            assertThat(snapshots.batch(BATCHES - 1)).hasSize(7)
                    .allSatisfy(p -> assertThat(p.value()).isBetween(BATCHES * 7, BATCHES * 8));
            List<StateRecord<?, ?, ?>> cached = cachedStateRecords(kit);
            assertThat(cached).as("state records in the block store").hasSize(PARALLELISM);
            assertThat(cached.stream().mapToLong(r -> r.mapped().size()).sum()).isEqualTo(RECORDS_PER_BATCH);
            assertThat(counts.dependencies().get(0).rememberedTimes()).as("remembered state datasets").hasSizeGreaterThan(2);
            // Older states are kept for lineage only: their batches' shuffle outputs are cleared too.
            assertThat(EngineServices.of(kit.context().engine()).runtime().shuffleRegistry().size())
                    .as("shuffles holding outputs").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void mapWithState_outputsUnderAWindowAndSliced_areThoseOfTheirBatches() {
        long seed = 8_1208L;
        List<List<Pair<String, Integer>>> input = randomBatches(seed, BATCHES, 11, 5);
        List<List<String>> outputs = runningSums(input);
        try (StreamingTestKit kit = kit()) {
            MapWithStateDStream<String, Integer, Integer, String> mapped = runningSums(kit, input);
            BatchOutput<String> windows = kit.collect(mapped.window(Duration.ofSeconds(3)));
            kit.run(BATCHES);
            for (int b = 0; b < BATCHES; b++) {
                List<String> expected = new ArrayList<>();
                for (int w = Math.max(0, b - 2); w <= b; w++) {
                    expected.addAll(outputs.get(w));
                }
                assertThat(windows.batch(b)).as("window ending at batch %s (seed %s)", b, seed)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
            assertLastBatchSliceable(mapped, BATCHES, outputs.get(BATCHES - 1), seed);
        }
    }

    @Test
    void mapWithState_lastBatchAfterItCompleted_canStillBeSlicedAndRead() {
        long seed = 4_2L;
        List<List<Pair<String, Integer>>> input = randomBatches(seed, 3, 5, 1);
        List<List<String>> outputs = runningSums(input);
        try (StreamingTestKit kit = kit()) {
            MapWithStateDStream<String, Integer, Integer, String> mapped = runningSums(kit, input);
            BatchOutput<String> out = kit.collect(mapped);
            kit.run(input.size());
            assertThat(out.batch(2)).containsExactlyInAnyOrderElementsOf(outputs.get(2));
            assertLastBatchSliceable(mapped, input.size(), outputs.get(2), seed);
        }
    }

    /** A stream remembers at least one slide: its last batch is still sliceable and readable after it completed. */
    private static void assertLastBatchSliceable(MapWithStateDStream<String, Integer, Integer, String> mapped,
                                                 int batches, List<String> expected, long seed) {
        Time last = new Time(batches * 1000L);
        assertThat(mapped.slice(last, last)).singleElement()
                .satisfies(ds -> assertThat(ds.collect()).as("sliced last batch (seed %s)", seed)
                        .containsExactlyInAnyOrderElementsOf(expected));
    }

    private StreamingTestKit kit() {
        return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(PARALLELISM)
                .checkpointDir(checkpoints.toUri().toString()).build();
    }

    private static List<List<Pair<String, Integer>>> randomBatches(long seed, int batches, int keys, int maxValue) {
        Random random = new Random(seed);
        List<List<Pair<String, Integer>>> input = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<Pair<String, Integer>> batch = new ArrayList<>();
            for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                batch.add(Pair.of("k" + random.nextInt(keys), 1 + random.nextInt(maxValue)));
            }
            input.add(batch);
        }
        return input;
    }

    /** The stream under test: per record, "key=running sum of its values". */
    private static MapWithStateDStream<String, Integer, Integer, String> runningSums(StreamingTestKit kit,
                                                                                     List<List<Pair<String, Integer>>> input) {
        return kit.pairInput(input).mapWithState(StateSpec.<String, Integer, Integer, String>function(
                (key, value, state) -> {
                    int sum = state.toOptional().orElse(0) + value.orElse(0);
                    state.update(sum);
                    return key + "=" + sum;
                }));
    }

    /**
     * Plain-Java reference of {@link #runningSums(StreamingTestKit, List)}: each batch's outputs (a
     * key's records stay in input order within its partition, so the sums match as multisets).
     */
    private static List<List<String>> runningSums(List<List<Pair<String, Integer>>> input) {
        Map<String, Integer> sums = new HashMap<>();
        List<List<String>> outputs = new ArrayList<>();
        for (List<Pair<String, Integer>> batch : input) {
            List<String> out = new ArrayList<>();
            for (Pair<String, Integer> kv : batch) {
                out.add(kv.key() + "=" + sums.merge(kv.key(), kv.value(), Integer::sum));
            }
            outputs.add(out);
        }
        return outputs;
    }

    private static List<StateRecord<?, ?, ?>> cachedStateRecords(StreamingTestKit kit) {
        BlockStore blocks = EngineServices.of(kit.context().engine()).runtime().blockStore();
        List<StateRecord<?, ?, ?>> cached = new ArrayList<>();
        for (BlockId id : blocks.ids()) {
            blocks.get(id).orElse(List.of()).stream().filter(StateRecord.class::isInstance)
                    .forEach(r -> cached.add((StateRecord<?, ?, ?>) r));
        }
        return cached;
    }
}
