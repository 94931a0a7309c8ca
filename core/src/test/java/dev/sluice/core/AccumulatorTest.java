package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.shuffle.ShuffleRegistry;
import dev.sluice.core.spi.EngineServices;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Accumulators: tasks add, the driver reads, and a retried or recomputed task counts once. */
class AccumulatorTest {
    /** Attempts per key; static because task functions must not capture the test instance. */
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    private String test;
    private Engine engine;

    @BeforeEach
    void start(TestInfo info) {
        test = info.getDisplayName() + info.getTestMethod().orElseThrow().getName();
        engine = Engine.builder().parallelism(3).build();
    }

    @AfterEach
    void stop() {
        engine.close();
        CALLS.keySet().removeIf(k -> k.startsWith(test));
    }

    private static List<Integer> data(long seed) {
        Random random = new Random(seed);
        return IntStream.range(0, 200 + random.nextInt(200)).mapToObj(i -> random.nextInt(1000) - 300).toList();
    }

    /** Adds each element to {@code acc}, counting calls under {@code key}; the first call on {@code failOn} throws after adding. */
    private static MapFunctionHolder adding(LongAccumulator acc, String key, int failOn) {
        return new MapFunctionHolder(acc, key, failOn);
    }

    private record MapFunctionHolder(LongAccumulator acc, String key, int failOn) {
        Dataset<Integer> applyTo(Dataset<Integer> in) {
            LongAccumulator a = acc;
            String k = key;
            int f = failOn;
            return in.map(x -> {
                a.add(x);
                CALLS.computeIfAbsent(k, c -> new AtomicInteger()).incrementAndGet();
                if (x == f && CALLS.computeIfAbsent(k + "/fail", c -> new AtomicInteger()).getAndIncrement() == 0) {
                    throw new IllegalStateException("first attempt on " + x + " fails after adding");
                }
                return x;
            });
        }
    }

    private static int calls(String key) {
        return CALLS.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void longAccumulator_resultTaskFailsOnFirstAttempt_countsOnce(long seed) {
        List<Integer> data = data(seed);
        LongAccumulator sum = engine.longAccumulator(null);
        int failOn = data.get(new Random(seed).nextInt(data.size()));

        List<Integer> out = adding(sum, test, failOn).applyTo(engine.parallelize(data, 4)).collect();

        assertThat(out).as("seed %s", seed).isEqualTo(data);
        assertThat(calls(test + "/fail")).as("seed %s: the failing element was retried", seed).isGreaterThan(1);
        assertThat(sum.sum()).as("seed %s", seed).isEqualTo(data.stream().mapToLong(x -> x).sum());
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5, 6})
    void longAccumulator_mapTaskFailsOnFirstAttempt_countsOnce(long seed) {
        List<Integer> data = data(seed);
        LongAccumulator sum = engine.longAccumulator("sum");
        int failOn = data.get(new Random(seed).nextInt(data.size()));

        Map<Integer, Integer> counts = adding(sum, test, failOn).applyTo(engine.parallelize(data, 4))
                .mapToPair(x -> Pair.of(Math.floorMod(x, 7), 1)).reduceByKey(Integer::sum, 3).collectAsMap();

        Map<Integer, Integer> expected = new HashMap<>();
        data.forEach(x -> expected.merge(Math.floorMod(x, 7), 1, Integer::sum));
        assertThat(counts).as("seed %s", seed).isEqualTo(expected);
        assertThat(calls(test + "/fail")).as("seed %s: the failing element was retried", seed).isGreaterThan(1);
        assertThat(sum.sum()).as("seed %s", seed).isEqualTo(data.stream().mapToLong(x -> x).sum());
    }

    @Test
    void longAccumulator_lostMapOutputRecomputed_countsOnce() {
        List<Integer> data = data(7);
        LongAccumulator sum = engine.longAccumulator("sum");
        PairDataset<Integer, Integer> counts = adding(sum, test, Integer.MIN_VALUE).applyTo(engine.parallelize(data, 4))
                .mapToPair(x -> Pair.of(Math.floorMod(x, 7), 1)).reduceByKey(Integer::sum, 3);
        Map<Integer, Integer> first = counts.collectAsMap();
        ShuffleRegistry shuffles = EngineServices.of(engine).runtime().shuffleRegistry();
        shuffles.removeMapOutput(shuffles.shuffleIds().get(0), 1);

        Map<Integer, Integer> again = counts.collectAsMap();

        assertThat(again).as("seed 7").isEqualTo(first);
        assertThat(calls(test)).as("seed 7: map partition 1 was recomputed").isGreaterThan(data.size());
        assertThat(sum.sum()).as("seed 7").isEqualTo(data.stream().mapToLong(x -> x).sum());
    }

    @Test
    void longAccumulator_twoActionsOnUncachedDataset_countsEachComputation() {
        List<Integer> data = data(8);
        LongAccumulator sum = engine.longAccumulator(null);
        Dataset<Integer> added = adding(sum, test, Integer.MIN_VALUE).applyTo(engine.parallelize(data, 4));

        added.count();
        added.count();

        assertThat(sum.sum()).as("seed 8").isEqualTo(2 * data.stream().mapToLong(x -> x).sum());
    }

    @ParameterizedTest
    @ValueSource(longs = {9, 10})
    void doubleAndCollectionAccumulators_matchPlainJava(long seed) {
        List<Integer> data = data(seed);
        DoubleAccumulator halves = engine.doubleAccumulator("halves");
        Accumulator<Integer, List<Integer>> negatives = engine.collectionAccumulator("negatives");

        engine.parallelize(data, 5).foreach(x -> {
            halves.add(x / 2.0);
            if (x < 0) {
                negatives.add(x);
            }
        });

        assertThat(halves.sum()).as("seed %s", seed).isCloseTo(data.stream().mapToDouble(x -> x / 2.0).sum(),
                org.assertj.core.data.Offset.offset(1e-6));
        List<Integer> got = new ArrayList<>(negatives.value());
        got.sort(null);
        assertThat(got).as("seed %s", seed).isEqualTo(data.stream().filter(x -> x < 0).sorted().toList());
        assertThatThrownBy(() -> negatives.value().add(1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void accumulator_userDefinedDistinctSet_mergesAttemptsAndDriverAdds() {
        List<Integer> data = data(11);
        Accumulator<Integer, Set<Integer>> distinct = engine.accumulator("distinct", TreeSet::new,
                (set, x) -> {
                    set.add(x);
                    return set;
                }, (a, b) -> {
                    TreeSet<Integer> out = new TreeSet<>(a);
                    out.addAll(b);
                    return out;
                });

        engine.parallelize(data, 4).foreach(distinct::add);
        distinct.add(5000);

        Set<Integer> expected = new TreeSet<>(data);
        expected.add(5000);
        assertThat(distinct.value()).as("seed 11").isEqualTo(expected);
        assertThat(distinct.name()).contains("distinct");
    }

    @Test
    void reset_setsValueBackToZero() {
        LongAccumulator sum = engine.longAccumulator(null);
        engine.parallelize(List.of(1, 2, 3), 2).foreach(sum::add);
        assertThat(sum.sum()).isEqualTo(6);

        sum.reset();
        sum.add(4L);

        assertThat(sum.sum()).isEqualTo(4);
    }

    @Test
    void longAccumulator_nameTaken_failsNamingIt() {
        engine.longAccumulator("rows");

        assertThatThrownBy(() -> engine.doubleAccumulator("rows")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'rows'").hasMessageContaining("already used");
    }

    @Test
    void drainAccumulatorUpdates_reportsNamedDeltasSinceLastDrain() {
        LongAccumulator rows = engine.longAccumulator("rows");
        LongAccumulator unnamed = engine.longAccumulator(null);
        EngineServices services = EngineServices.of(engine);
        engine.parallelize(List.of(1, 2, 3), 2).foreach(x -> {
            rows.add(x);
            unnamed.add(x);
        });

        assertThat(services.drainAccumulatorUpdates()).isEqualTo(Map.of("rows", 6L));
        engine.parallelize(List.of(10, 20), 2).foreach(rows::add);
        assertThat(services.drainAccumulatorUpdates()).isEqualTo(Map.of("rows", 30L));
        assertThat(services.drainAccumulatorUpdates()).isEmpty();
        assertThat(rows.sum()).isEqualTo(36);
    }
}
