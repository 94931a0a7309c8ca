package dev.sluice.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.JobFailedException;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.spi.StageReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stage reports of {@link EngineServices#observeStages}: one per stage, with its figures and job tag. */
class StageListenerTest {
    private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();
    private static final int PARTITIONS = 4;

    private Engine engine;
    private final List<StageReport> reports = new CopyOnWriteArrayList<>();
    private AutoCloseable observation;

    @BeforeEach
    void start() {
        engine = Engine.builder().parallelism(2).build();
        observation = EngineServices.of(engine).observeStages(reports::add);
    }

    @AfterEach
    void stop() throws Exception {
        observation.close();
        EngineServices.setJobTag(null);
        engine.close();
    }

    @Test
    void reduceByKey_reportsAMapStageThenAResultStage_withTheShuffledRecordsOfAPlainReference() {
        long seed = 913;
        Random random = new Random(seed);
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            keys.add(random.nextInt(300));
        }
        // Map-side combine writes one record per distinct key of each map partition (contiguous slices).
        long expectedShuffled = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            Set<Integer> distinct = new HashSet<>(keys.subList(p * keys.size() / PARTITIONS,
                    (p + 1) * keys.size() / PARTITIONS));
            expectedShuffled += distinct.size();
        }
        Dataset<Integer> input = engine.parallelize(keys, PARTITIONS).setName("keys");
        Dataset<Pair<Integer, Integer>> pairs = input.map(k -> Pair.of(k, 1)).setName("pairs");
        PairDataset<Integer, Integer> counts = PairDataset.of(pairs).reduceByKey(Integer::sum);
        EngineServices.setJobTag("batch 1000");

        assertThat(counts.count()).as("distinct keys, seed %s", seed).isEqualTo(new HashSet<>(keys).size());

        assertThat(reports).hasSize(2);
        StageReport map = reports.get(0);
        StageReport result = reports.get(1);
        assertThat(map.shuffleMap()).isTrue();
        assertThat(result.shuffleMap()).isFalse();
        assertThat(map.jobId()).isEqualTo(result.jobId());
        assertThat(map.jobTag()).isEqualTo("batch 1000");
        assertThat(result.jobTag()).isEqualTo("batch 1000");
        assertThat(result.parentStageIds()).containsExactly(map.stageId());
        assertThat(map.parentStageIds()).isEmpty();
        assertThat(map.datasetIds()).containsExactlyInAnyOrder(input.id(), pairs.id());
        assertThat(map.datasetNames()).contains("keys", "pairs");
        assertThat(result.datasetIds()).startsWith(counts.id()).doesNotContain(input.id(), pairs.id());
        assertThat(map.tasks()).isEqualTo(PARTITIONS);
        assertThat(map.attempts()).isEqualTo(PARTITIONS);
        assertThat(map.failedAttempts()).isZero();
        assertThat(map.shuffleRecords()).as("records shuffled, seed %s", seed).isEqualTo(expectedShuffled);
        assertThat(result.shuffleRecords()).isEqualTo(-1);
        assertThat(map.succeeded()).isTrue();
        assertThat(result.succeeded()).isTrue();
        assertThat(map.duration()).isPositive();
    }

    @Test
    void taskFailingOnce_isCountedAsAFailedAttemptAndARetry() {
        String key = "fails-once-" + System.nanoTime();
        Dataset<Integer> data = engine.parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8), PARTITIONS).map(x -> {
            if (x == 5 && FAILURES.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement() == 0) {
                throw new IllegalStateException("first attempt fails");
            }
            return x * 2;
        });

        assertThat(data.collect()).containsExactly(2, 4, 6, 8, 10, 12, 14, 16);

        assertThat(reports).hasSize(1);
        StageReport only = reports.get(0);
        assertThat(only.jobTag()).isNull();
        assertThat(only.tasks()).isEqualTo(PARTITIONS);
        assertThat(only.attempts()).isEqualTo(PARTITIONS + 1);
        assertThat(only.failedAttempts()).isEqualTo(1);
        assertThat(only.succeeded()).isTrue();
    }

    @Test
    void taskFailingEveryAttempt_reportsAFailedStage() {
        Dataset<Integer> data = engine.parallelize(List.of(1, 2, 3, 4), 2).map(x -> {
            if (x == 3) {
                throw new IllegalArgumentException("bad record " + x);
            }
            return x;
        });

        assertThatThrownBy(data::collect).isInstanceOf(JobFailedException.class);

        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).succeeded()).isFalse();
        assertThat(reports.get(0).failedAttempts()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void closedObservation_hearsNothingMore() throws Exception {
        observation.close();

        engine.parallelize(List.of(1, 2, 3), 3).count();

        assertThat(reports).isEmpty();
    }
}
