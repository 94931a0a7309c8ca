package dev.sluice.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.HashPartitioner;
import dev.sluice.core.JobFailedException;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import dev.sluice.core.shuffle.ShuffleRegistry;
import dev.sluice.core.spi.EngineServices;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Stages, retries and reuse of shuffle outputs, seen through the jobs the public API submits. */
class DagSchedulerTest {
    /** Calls of the test functions, by test and element; static because functions must not capture tests. */
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    private static final List<Integer> NUMBERS = IntStream.range(0, 100).boxed().toList();

    private String test;
    private Engine engine;

    @BeforeEach
    void start(TestInfo info) {
        test = info.getDisplayName();
        engine = Engine.builder().parallelism(4).build();
    }

    @AfterEach
    void stop() {
        engine.close();
        CALLS.keySet().removeIf(k -> k.startsWith(test));
    }

    private static int calls(String key) {
        return CALLS.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    /** Returns x mod 10, counting calls under {@code key}; throws on the first call for {@code failOn}. */
    private static Dataset<Pair<Integer, Integer>> byLastDigit(Dataset<Integer> data, String key, int failOn) {
        return data.map(x -> {
            CALLS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (x == failOn && CALLS.computeIfAbsent(key + "/" + x, k -> new AtomicInteger()).getAndIncrement() == 0) {
                throw new IllegalStateException("first attempt of " + x + " fails");
            }
            return Pair.of(x % 10, x);
        });
    }

    private static Map<Integer, Integer> sumsByLastDigit() {
        Map<Integer, Integer> out = new HashMap<>();
        NUMBERS.forEach(x -> out.merge(x % 10, x, Integer::sum));
        return out;
    }

    @Test
    void runJob_resultTaskFailsOnFirstAttemptOnly_succeedsByRetry() {
        Dataset<Pair<Integer, Integer>> pairs = byLastDigit(engine.parallelize(NUMBERS, 4), test, 42);

        assertThat(pairs.collect()).isEqualTo(NUMBERS.stream().map(x -> Pair.of(x % 10, x)).toList());
        assertThat(calls(test + "/42")).isEqualTo(2);
    }

    @Test
    void runJob_mapTaskFailsOnFirstAttemptOnly_succeedsByRetry() {
        PairDataset<Integer, Integer> sums = PairDataset.of(byLastDigit(engine.parallelize(NUMBERS, 4), test, 7))
                .reduceByKey(Integer::sum);

        assertThat(sums.collectAsMap()).isEqualTo(sumsByLastDigit());
        assertThat(calls(test + "/7")).isEqualTo(2);
    }

    @Test
    void runJob_maxTaskAttemptsOne_failsAtOnce() {
        try (Engine once = Engine.builder().parallelism(2).maxTaskAttempts(1).build()) {
            Dataset<Pair<Integer, Integer>> pairs = byLastDigit(once.parallelize(NUMBERS, 4), test, 42);

            assertThatThrownBy(pairs::collect).isInstanceOf(JobFailedException.class)
                    .hasMessageContaining("first attempt of 42 fails")
                    .satisfies(e -> assertThat(((JobFailedException) e).attempts()).isEqualTo(1));
            assertThat(calls(test + "/42")).isEqualTo(1);
        }
    }

    @Test
    void runJob_joinOfTwoShuffledDatasets_runsBothParentStages() {
        PairDataset<Integer, Integer> sums = PairDataset.of(byLastDigit(engine.parallelize(NUMBERS, 4), test, -1))
                .reduceByKey(Integer::sum, 3);
        PairDataset<Integer, Integer> counts = PairDataset.of(byLastDigit(engine.parallelize(NUMBERS, 5), test, -1))
                .mapValues(x -> 1).reduceByKey(Integer::sum, 2);

        Map<Integer, Pair<Integer, Integer>> joined = sums.join(counts).collectAsMap();

        Map<Integer, Pair<Integer, Integer>> expected = new HashMap<>();
        sumsByLastDigit().forEach((k, sum) -> expected.put(k, Pair.of(sum, 10)));
        assertThat(joined).isEqualTo(expected);
    }

    @Test
    void runJob_shuffleOfShuffledDataset_runsStagesInOrder() {
        PairDataset<Integer, Integer> sums = PairDataset.of(byLastDigit(engine.parallelize(NUMBERS, 4), test, -1))
                .reduceByKey(Integer::sum, 3);

        PairDataset<Integer, Integer> moved = sums.partitionBy(new HashPartitioner(5)).reduceByKey(Integer::sum, 2);

        assertThat(moved.collectAsMap()).isEqualTo(sumsByLastDigit());
        assertThat(sums.mapToPair(kv -> Pair.of(kv.value() % 2, 1)).reduceByKey(Integer::sum).collectAsMap())
                .isEqualTo(Map.of(0, 10));
    }

    @Test
    void runJob_secondActionOnShuffledDataset_reusesMapOutputs() {
        PairDataset<Integer, Integer> sums = PairDataset.of(byLastDigit(engine.parallelize(NUMBERS, 4), test, -1))
                .reduceByKey(Integer::sum);
        sums.collect();

        assertThat(sums.collectAsMap()).isEqualTo(sumsByLastDigit());
        assertThat(calls(test)).isEqualTo(NUMBERS.size());
    }

    @Test
    void runJob_oneMapOutputLost_recomputesOnlyThatMapTask() {
        PairDataset<Integer, Integer> sums = PairDataset.of(byLastDigit(engine.parallelize(NUMBERS, 4), test, -1))
                .reduceByKey(Integer::sum);
        sums.collect();
        ShuffleRegistry shuffles = EngineServices.of(engine).runtime().shuffleRegistry();
        assertThat(shuffles.shuffleIds()).hasSize(1);

        shuffles.removeMapOutput(shuffles.shuffleIds().get(0), 2);

        assertThat(sums.collectAsMap()).isEqualTo(sumsByLastDigit());
        assertThat(calls(test)).isEqualTo(NUMBERS.size() + NUMBERS.size() / 4);
    }
}
