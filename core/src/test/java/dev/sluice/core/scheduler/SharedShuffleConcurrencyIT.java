package dev.sluice.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jobs started together from several threads that read the same shuffle dependency: each gets
 * the plain-Java result, each map partition is computed at most once per job that planned it
 * (the outputs any job registers are equal), and a later job reuses them without computing any.
 */
@Timeout(60)
class SharedShuffleConcurrencyIT {
    private static Engine engine;

    @BeforeAll
    static void startEngine() {
        engine = Engine.builder().appName("shared-shuffle").parallelism(4).build();
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    static LongStream seeds() {
        return LongStream.range(0, 20);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void collect_twoThreadsReadingOneShuffle_bothEqualTheReferenceAndMapTasksRunAtMostOncePerJob(long seed)
            throws Exception {
        Random rnd = new Random(seed);
        List<Pair<Integer, Integer>> data = pairs(rnd);
        int maps = 1 + rnd.nextInt(6);
        AtomicInteger mapCalls = new AtomicInteger();
        PairDataset<Integer, Integer> sums = counted(data, maps, mapCalls).reduceByKey(Integer::sum, 1 + rnd.nextInt(5));
        Map<Integer, Integer> expected = reference(data);
        Map<Integer, Integer> doubled = new HashMap<>();
        expected.forEach((k, v) -> doubled.put(k, v * 2));

        List<Map<Integer, Integer>> results = together(List.of(sums::collectAsMap,
                () -> sums.mapValues(v -> v * 2).collectAsMap()));

        assertThat(results.get(0)).as("seed %d, job A", seed).isEqualTo(expected);
        assertThat(results.get(1)).as("seed %d, job B", seed).isEqualTo(doubled);
        int calls = mapCalls.get();
        assertThat(calls).as("seed %d: map partitions computed (%d maps, two jobs)", seed, maps).isBetween(maps, 2 * maps);
        assertThat(sums.collectAsMap()).as("seed %d, a later job", seed).isEqualTo(expected);
        assertThat(mapCalls.get()).as("seed %d: a later job reuses the map outputs", seed).isEqualTo(calls);
    }

    @Test
    void collect_manyThreadsJoiningOnOneShuffle_allEqualTheReference() throws Exception {
        Random rnd = new Random(99);
        List<Pair<Integer, Integer>> data = pairs(rnd);
        AtomicInteger mapCalls = new AtomicInteger();
        PairDataset<Integer, Integer> sums = counted(data, 5, mapCalls).reduceByKey(Integer::sum, 3);
        Map<Integer, Integer> expected = reference(data);
        List<Supplier<Map<Integer, Integer>>> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int offset = i;
            jobs.add(() -> sums.join(sums).mapValues(p -> p.key() + p.value() + offset).collectAsMap());
        }

        List<Map<Integer, Integer>> results = together(jobs);

        for (int i = 0; i < results.size(); i++) {
            Map<Integer, Integer> want = new HashMap<>();
            int offset = i;
            expected.forEach((k, v) -> want.put(k, 2 * v + offset));
            assertThat(results.get(i)).as("seed 99, job %d", i).isEqualTo(want);
        }
        assertThat(mapCalls.get()).as("at most once per job per map partition").isBetween(5, 5 * 8);
    }

    /** Runs {@code jobs} on threads of their own, released together by a barrier; returns their results in order. */
    private static <T> List<T> together(List<Supplier<T>> jobs) throws Exception {
        CyclicBarrier start = new CyclicBarrier(jobs.size());
        List<CompletableFuture<T>> running = new ArrayList<>();
        for (Supplier<T> job : jobs) {
            CompletableFuture<T> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                    f.complete(job.get());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }, "job-" + running.size());
            t.start();
            running.add(f);
        }
        List<T> out = new ArrayList<>();
        for (CompletableFuture<T> f : running) {
            out.add(f.get(30, TimeUnit.SECONDS));
        }
        return out;
    }

    /** The pairs of {@code data} in {@code maps} partitions, counting each partition computed. */
    private static PairDataset<Integer, Integer> counted(List<Pair<Integer, Integer>> data, int maps,
                                                         AtomicInteger calls) {
        return PairDataset.of(engine.parallelizePairs(data, maps).mapPartitions(it -> {
            calls.incrementAndGet();
            return it;
        }));
    }

    private static List<Pair<Integer, Integer>> pairs(Random rnd) {
        int keys = 1 + rnd.nextInt(50);
        List<Pair<Integer, Integer>> out = new ArrayList<>();
        for (int i = rnd.nextInt(2000); i > 0; i--) {
            out.add(Pair.of(rnd.nextInt(keys), rnd.nextInt(201) - 100));
        }
        return out;
    }

    private static Map<Integer, Integer> reference(List<Pair<Integer, Integer>> data) {
        Map<Integer, Integer> out = new HashMap<>();
        for (Pair<Integer, Integer> p : data) {
            out.merge(p.key(), p.value(), Integer::sum);
        }
        return out;
    }
}
