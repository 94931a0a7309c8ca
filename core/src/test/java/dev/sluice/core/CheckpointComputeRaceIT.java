package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression for a checkpoint completing while another job computes the same dataset (commit
 * "compute runs under a read lock that releasing parents waits for"): job B is held, by a latch,
 * inside the co-group's compute after reading its left parent and before reading its right one;
 * job A then computes and checkpoints the same co-group, and completing that checkpoint drops the
 * co-group's parents and shuffle outputs. B must still finish from the parents it started with.
 * One task attempt only, so that a retry (which would read the finished checkpoint) cannot hide
 * a failure.
 */
@Timeout(60)
class CheckpointComputeRaceIT {
    private static final long SEED = 53;
    private static final long WAIT_SECONDS = 20;

    @TempDir
    Path dir;
    private Engine engine;

    @BeforeEach
    void setUp() {
        engine = Engine.builder().appName("checkpoint-race").parallelism(4).maxTaskAttempts(1)
                .checkpointDir(dir.toUri().toString()).build();
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void collect_checkpointCompletesWhileAnotherJobIsInsideCompute_bothJobsGetTheWholeResult() throws Exception {
        Random rnd = new Random(SEED);
        List<Pair<Integer, Integer>> lefts = pairs(rnd, 200);
        List<Pair<Integer, Integer>> rights = pairs(rnd, 150);
        HashPartitioner partitioner = new HashPartitioner(2);
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Narrow on the left (already partitioned), so the hook runs inside the co-group's own compute.
        PairDataset<Integer, Integer> left = engine.parallelizePairs(lefts, 3).partitionBy(partitioner).mapValues(v -> {
            if (armed.compareAndSet(true, false)) {
                entered.countDown();
                release.await();
            }
            return v;
        });
        PairDataset<Integer, Pair<List<Integer>, List<Integer>>> grouped =
                left.cogroup(engine.parallelizePairs(rights, 3), partitioner);
        grouped.checkpoint();
        Map<Integer, Pair<List<Integer>, List<Integer>>> expected = reference(lefts, rights);

        armed.set(true);
        CompletableFuture<List<Pair<Integer, Pair<List<Integer>, List<Integer>>>>> jobB =
                CompletableFuture.supplyAsync(grouped::collect);
        assertThat(entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("job B inside compute").isTrue();
        CompletableFuture<Thread> jobAThread = new CompletableFuture<>();
        CompletableFuture<Long> jobA = CompletableFuture.supplyAsync(() -> {
            jobAThread.complete(Thread.currentThread());
            return grouped.count();
        });
        awaitDoneOrWaitingForAWriteLock(jobA, jobAThread.get(WAIT_SECONDS, TimeUnit.SECONDS));
        release.countDown();

        assertThat(jobA.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("seed %d", SEED).isEqualTo(expected.size());
        assertThat(normalize(jobB.get(WAIT_SECONDS, TimeUnit.SECONDS))).as("seed %d", SEED).isEqualTo(expected);
        assertThat(grouped.isCheckpointed()).isTrue();
        assertThat(normalize(grouped.collect())).as("seed %d, read back from the checkpoint", SEED)
                .isEqualTo(expected);
    }

    /**
     * Waits (bounded) until job A has finished or its thread is parked taking a write lock, which
     * is where completing the checkpoint waits for job B's compute; the bound is a safety net only.
     */
    private static void awaitDoneOrWaitingForAWriteLock(CompletableFuture<?> job, Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!job.isDone() && !isTakingAWriteLock(thread) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static boolean isTakingAWriteLock(Thread thread) {
        if (thread.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().endsWith("ReentrantReadWriteLock$WriteLock")) {
                return true;
            }
        }
        return false;
    }

    private static List<Pair<Integer, Integer>> pairs(Random rnd, int n) {
        List<Pair<Integer, Integer>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Pair.of(rnd.nextInt(40), rnd.nextInt(1000)));
        }
        return out;
    }

    private static Map<Integer, Pair<List<Integer>, List<Integer>>> reference(List<Pair<Integer, Integer>> lefts,
                                                                              List<Pair<Integer, Integer>> rights) {
        Map<Integer, Pair<List<Integer>, List<Integer>>> out = new HashMap<>();
        for (Pair<Integer, Integer> p : lefts) {
            out.computeIfAbsent(p.key(), k -> Pair.of(new ArrayList<>(), new ArrayList<>())).key().add(p.value());
        }
        for (Pair<Integer, Integer> p : rights) {
            out.computeIfAbsent(p.key(), k -> Pair.of(new ArrayList<>(), new ArrayList<>())).value().add(p.value());
        }
        return normalize(out);
    }

    private static Map<Integer, Pair<List<Integer>, List<Integer>>> normalize(
            List<Pair<Integer, Pair<List<Integer>, List<Integer>>>> groups) {
        Map<Integer, Pair<List<Integer>, List<Integer>>> out = new HashMap<>();
        for (Pair<Integer, Pair<List<Integer>, List<Integer>>> g : groups) {
            assertThat(out.put(g.key(), g.value())).as("key %s once", g.key()).isNull();
        }
        return normalize(out);
    }

    private static Map<Integer, Pair<List<Integer>, List<Integer>>> normalize(
            Map<Integer, Pair<List<Integer>, List<Integer>>> groups) {
        Map<Integer, Pair<List<Integer>, List<Integer>>> out = new HashMap<>();
        groups.forEach((k, v) -> out.put(k, Pair.of(v.key().stream().sorted().toList(),
                v.value().stream().sorted().toList())));
        return out;
    }
}
