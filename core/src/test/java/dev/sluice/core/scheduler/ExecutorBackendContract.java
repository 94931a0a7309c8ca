package dev.sluice.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.HashPartitioner;
import dev.sluice.core.JobFailedException;
import dev.sluice.core.Pair;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.MapPartitionsDataset;
import dev.sluice.core.dataset.ParallelCollectionDataset;
import dev.sluice.core.shuffle.Aggregator;
import dev.sluice.core.shuffle.ShuffleDependency;
import dev.sluice.core.shuffle.ShuffledDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link ExecutorBackend} must do under the scheduler: return task values, let failed
 * tasks be retried, let a lost map output be recomputed alone, report a task's exception as the
 * job's cause, and skip the tasks of a job that has failed. Each backend's test extends this
 * class and says how to start one.
 */
abstract class ExecutorBackendContract {
    /** Calls per test and key; static because task functions must not capture the test. */
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    private static final int MAX_ATTEMPTS = 3;

    @TempDir
    Path localDir;
    private String test;
    private final List<EngineRuntime> runtimes = new ArrayList<>();

    /** Returns a started backend that runs {@code parallelism} tasks at once. */
    abstract ExecutorBackend newBackend(int parallelism);

    @BeforeEach
    void name(TestInfo info) {
        test = getClass().getSimpleName() + "." + info.getDisplayName();
    }

    @AfterEach
    void stop() {
        runtimes.forEach(EngineRuntime::close);
        CALLS.keySet().removeIf(k -> k.startsWith(test));
    }

    private EngineRuntime runtime(int parallelism, int maxAttempts) {
        ExecutorBackend backend = newBackend(parallelism);
        assertThat(backend.parallelism()).isEqualTo(parallelism);
        EngineRuntime runtime = new EngineRuntime(backend, maxAttempts, localDir, Map.of(), null);
        runtimes.add(runtime);
        return runtime;
    }

    private static int count(String key) {
        return CALLS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    private static int calls(String key) {
        return CALLS.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    private static List<Integer> all(DatasetNode<?> node) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < node.numPartitions(); p++) {
            out.add(p);
        }
        return out;
    }

    private static List<Integer> randomInts(long seed, int n) {
        Random random = new Random(seed);
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(random.nextInt(1000));
        }
        return out;
    }

    /** Sums of (x mod 10) through a shuffle with map-side combine, counting map calls per element. */
    private static ShuffledDataset<Integer, Integer, Integer> sumsByLastDigit(EngineRuntime runtime, List<Integer> data,
                                                                                int partitions, String key) {
        DatasetNode<Integer> source = new ParallelCollectionDataset<>(runtime.nodes(), data, partitions);
        DatasetNode<Pair<Integer, Integer>> keyed = new MapPartitionsDataset<Integer, Pair<Integer, Integer>>(source,
                (ctx, p, it) -> {
                    count(key + "/map " + p);
                    List<Pair<Integer, Integer>> out = new ArrayList<>();
                    it.forEachRemaining(x -> out.add(Pair.of(x % 10, x)));
                    return out.iterator();
                }, false, "byLastDigit");
        return new ShuffledDataset<>(keyed, new HashPartitioner(3), Aggregator.reducing(Integer::sum), true, null);
    }

    private static Map<Integer, Integer> expectedSums(List<Integer> data) {
        return data.stream().collect(Collectors.groupingBy(x -> x % 10, TreeMap::new, Collectors.summingInt(x -> x)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void submit_resultAndMapStages_returnEveryPartitionsValueInOrder(long seed) {
        EngineRuntime runtime = runtime(2, MAX_ATTEMPTS);
        List<Integer> data = randomInts(seed, 500);
        DatasetNode<Integer> source = new ParallelCollectionDataset<>(runtime.nodes(), data, 4);

        List<Integer> partitionSums = runtime.runJob(source, all(source), (ctx, it) -> {
            int sum = 0;
            while (it.hasNext()) {
                sum += it.next();
            }
            return sum;
        });
        ShuffledDataset<Integer, Integer, Integer> sums = sumsByLastDigit(runtime, data, 4, test);
        List<List<Pair<Integer, Integer>>> reduced = runtime.runJob(sums, all(sums), (ctx, it) -> {
            List<Pair<Integer, Integer>> out = new ArrayList<>();
            it.forEachRemaining(out::add);
            return out;
        });

        List<Integer> expected = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            expected.add(data.subList(p * 500 / 4, (p + 1) * 500 / 4).stream().mapToInt(x -> x).sum());
        }
        assertThat(partitionSums).as("seed %s", seed).isEqualTo(expected);
        Map<Integer, Integer> got = new TreeMap<>();
        reduced.forEach(part -> part.forEach(kv -> got.put(kv.key(), kv.value())));
        assertThat(got).as("seed %s", seed).isEqualTo(expectedSums(data));
    }

    @Test
    void submit_taskFailsOnce_isRetriedWithTheNextAttemptNumber() {
        EngineRuntime runtime = runtime(2, MAX_ATTEMPTS);
        DatasetNode<Integer> source = new ParallelCollectionDataset<>(runtime.nodes(), List.of(1, 2, 3, 4), 2);
        String key = test;

        List<Integer> attempts = runtime.runJob(source, all(source), (ctx, it) -> {
            if (ctx.partitionId() == 1 && count(key + "/p1") == 1) {
                throw new IllegalStateException("first attempt of partition 1 fails");
            }
            return ctx.attemptNumber();
        });

        assertThat(attempts).containsExactly(0, 1);
        assertThat(calls(key + "/p1")).isEqualTo(2);
    }

    @Test
    void submit_lostMapOutput_recomputesOnlyThatMapTask() {
        EngineRuntime runtime = runtime(2, MAX_ATTEMPTS);
        List<Integer> data = randomInts(7, 200);
        ShuffledDataset<Integer, Integer, Integer> sums = sumsByLastDigit(runtime, data, 4, test);
        TaskFunction<Pair<Integer, Integer>, Map<Integer, Integer>> collect = (ctx, it) -> {
            Map<Integer, Integer> out = new HashMap<>();
            it.forEachRemaining(kv -> out.put(kv.key(), kv.value()));
            return out;
        };
        runtime.runJob(sums, all(sums), collect);
        ShuffleDependency<?, ?, ?> shuffle = (ShuffleDependency<?, ?, ?>) sums.dependencies().get(0);
        shuffle.clearOutput(2);

        Map<Integer, Integer> again = new TreeMap<>();
        runtime.runJob(sums, all(sums), collect).forEach(again::putAll);

        assertThat(again).as("seed 7").isEqualTo(expectedSums(data));
        assertThat(List.of(calls(test + "/map 0"), calls(test + "/map 1"), calls(test + "/map 2"),
                calls(test + "/map 3"))).containsExactly(1, 1, 2, 1);
        assertThat(shuffle.missingOutputs()).isEmpty();
    }

    @Test
    void submit_taskThrowsCheckedException_failsJobWithTheUsersExceptionAsCause() {
        EngineRuntime runtime = runtime(2, MAX_ATTEMPTS);
        DatasetNode<Integer> source = new ParallelCollectionDataset<>(runtime.nodes(), List.of(1, 2, 3, 4), 2);
        source.setName("numbers");
        String key = test;

        assertThatThrownBy(() -> runtime.runJob(source, all(source), (ctx, it) -> {
            if (ctx.partitionId() == 0) {
                count(key + "/p0");
                throw new IOException("disk gone");
            }
            return 0;
        })).isInstanceOf(JobFailedException.class).hasMessageContaining("numbers")
                .hasCauseInstanceOf(IOException.class).hasRootCauseMessage("disk gone");
        assertThat(calls(key + "/p0")).isEqualTo(MAX_ATTEMPTS);
    }

    @Test
    void submit_afterJobFailed_skipsTheJobsTasksNotYetStarted() {
        EngineRuntime runtime = runtime(1, 1);
        DatasetNode<Integer> source = new ParallelCollectionDataset<>(runtime.nodes(), List.of(0, 1, 2, 3, 4, 5, 6, 7),
                8);
        String key = test;

        assertThatThrownBy(() -> runtime.runJob(source, all(source), (ctx, it) -> {
            count(key + "/ran");
            if (ctx.partitionId() == 0) {
                throw new IllegalStateException("partition 0 fails");
            }
            return 0;
        })).isInstanceOf(JobFailedException.class).hasRootCauseMessage("partition 0 fails");
        assertThat(calls(key + "/ran")).as("tasks that ran, of 8, after the first failed").isEqualTo(1);

        List<Integer> next = runtime.runJob(source, all(source), (ctx, it) -> it.next());
        assertThat(next).as("the backend stays usable").containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }
}
