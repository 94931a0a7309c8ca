package dev.sluice.streaming.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The incremental window (with an inverse function) equals the naive one (reducing the whole
 * window) and a plain-Java model, batch by batch, over random input with random empty batches
 * and random window and slide multiples.
 */
class WindowPropertyTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    @TempDir
    Path dir;

    static Stream<Long> seeds() {
        return IntStream.range(0, 30).mapToObj(i -> 1000L + i * 7919L);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void reduceByKeyAndWindow_inverseAndNaive_equalTheModelForEveryBatch(long seed) {
        Random random = new Random(seed);
        int batches = 8 + random.nextInt(25);
        int slide = 1 + random.nextInt(3);
        int length = slide * (1 + random.nextInt(3)) + (random.nextBoolean() ? 0 : random.nextInt(3) * slide);
        if (random.nextInt(5) == 0) {
            length = 1; // shorter than the slide when slide > 1
        }
        List<List<Pair<Integer, Integer>>> input = randomInput(random, batches);
        int parallelism = 1 + random.nextInt(3);
        int numPartitions = 1 + random.nextInt(4);
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).parallelism(parallelism)
                .checkpointDir(dir.toUri().toString()).build()) {
            PairDStream<Integer, Integer> in = kit.pairInput(input);
            Duration len = INTERVAL.multipliedBy(length);
            Duration sl = INTERVAL.multipliedBy(slide);
            BatchOutput<Pair<Integer, Integer>> incremental = kit.collect(in.reduceByKeyAndWindow(Integer::sum,
                    (a, b) -> a - b, len, sl, numPartitions, kv -> kv.value() != 0));
            BatchOutput<Pair<Integer, Integer>> unfiltered = kit.collect(in.reduceByKeyAndWindow(Integer::sum,
                    (a, b) -> a - b, len, sl));
            BatchOutput<Pair<Integer, Integer>> naive = kit.collect(in.reduceByKeyAndWindow(Integer::sum, len, sl,
                    numPartitions));
            BatchOutput<Pair<Integer, List<Integer>>> grouped = kit.collect(in.groupByKeyAndWindow(len, sl));
            kit.run(batches + length + slide);

            List<Map<Integer, Integer>> model = model(input, length, slide, batches + length + slide);
            String description = String.format("seed %d (length %d, slide %d batches)", seed, length, slide);
            assertThat(incremental.batches()).extracting(WindowPropertyTest::asMap).as(description).isEqualTo(model);
            assertThat(unfiltered.batches()).extracting(WindowPropertyTest::withoutZeros).as(description)
                    .isEqualTo(model);
            assertThat(naive.batches()).extracting(WindowPropertyTest::asMap).as(description).isEqualTo(model);
            assertThat(grouped.batches()).extracting(WindowPropertyTest::sums).as(description).isEqualTo(model);
        }
    }

    /** Values from 1 to 5 so that a sum is zero only when the key has no values in the window. */
    private static List<List<Pair<Integer, Integer>>> randomInput(Random random, int batches) {
        List<List<Pair<Integer, Integer>>> input = new ArrayList<>();
        int keys = 1 + random.nextInt(12);
        for (int b = 0; b < batches; b++) {
            List<Pair<Integer, Integer>> batch = new ArrayList<>();
            int size = random.nextInt(3) == 0 ? 0 : random.nextInt(20);
            for (int i = 0; i < size; i++) {
                batch.add(Pair.of(random.nextInt(keys), 1 + random.nextInt(5)));
            }
            input.add(batch);
        }
        return input;
    }

    /** Batch {@code b} (1-based) is in the window ending at batch {@code k} if {@code k - length < b <= k}. */
    private static List<Map<Integer, Integer>> model(List<List<Pair<Integer, Integer>>> input, int length, int slide,
                                                     int run) {
        List<Map<Integer, Integer>> out = new ArrayList<>();
        for (int k = slide; k <= run; k += slide) {
            Map<Integer, Integer> window = new TreeMap<>();
            for (int b = Math.max(1, k - length + 1); b <= k; b++) {
                if (b <= input.size()) {
                    input.get(b - 1).forEach(kv -> window.merge(kv.key(), kv.value(), Integer::sum));
                }
            }
            out.add(window);
        }
        return out;
    }

    private static Map<Integer, Integer> asMap(List<Pair<Integer, Integer>> batch) {
        Map<Integer, Integer> out = new TreeMap<>();
        batch.forEach(kv -> assertThat(out.put(kv.key(), kv.value())).as("key %s twice", kv.key()).isNull());
        return out;
    }

    private static Map<Integer, Integer> withoutZeros(List<Pair<Integer, Integer>> batch) {
        Map<Integer, Integer> out = asMap(batch);
        out.values().removeIf(v -> v == 0);
        return out;
    }

    private static Map<Integer, Integer> sums(List<Pair<Integer, List<Integer>>> batch) {
        Map<Integer, Integer> out = new TreeMap<>();
        batch.forEach(kv -> out.put(kv.key(), kv.value().stream().mapToInt(Integer::intValue).sum()));
        return out;
    }
}
