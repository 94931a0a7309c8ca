package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Engine;
import dev.sluice.core.shuffle.ShuffleRegistry;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.storage.BlockStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever in-memory state is lost — cached blocks, shuffle outputs, a task attempt — a job run
 * again gives exactly the result of plain Java, recomputed from lineage or read from a checkpoint.
 */
class LineageRecoveryTest {
    @TempDir
    Path tempDir;

    private Engine engine;
    private String scenario;

    static LongStream seeds() {
        return LongStream.range(0, 12);
    }

    @BeforeEach
    void start(TestInfo info) {
        scenario = info.getTestMethod().orElseThrow().getName();
        engine = Engine.builder().parallelism(4).checkpointDir(tempDir.toUri().toString()).build();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private WordScores job(long seed) {
        return new WordScores(engine, seed, scenario, false);
    }

    private ShuffleRegistry shuffles() {
        return EngineServices.of(engine).runtime().shuffleRegistry();
    }

    private BlockStore blocks() {
        return EngineServices.of(engine).runtime().blockStore();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void run_multiStageJob_matchesPlainJava(long seed) {
        WordScores job = job(seed);

        assertThat(job.run()).as("seed %d", seed).isEqualTo(job.expected());
        assertThat(shuffles().size()).as("seed %d", seed).isEqualTo(2);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void run_cachedBlocksRemoved_recomputesSameResult(long seed) {
        WordScores job = job(seed);
        job.counts.cache();
        job.scores.cache();
        Map<String, Integer> first = job.run();
        Random random = new Random(seed);

        int removed = blocks().removeIf(id -> random.nextBoolean());

        assertThat(job.run()).as("seed %d, %d blocks removed", seed, removed).isEqualTo(first)
                .isEqualTo(job.expected());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void run_shuffleOutputsRemoved_recomputesSameResult(long seed) {
        WordScores job = job(seed);
        Map<String, Integer> first = job.run();
        List<Integer> shuffleIds = shuffles().shuffleIds();
        Random random = new Random(seed);

        for (int id : shuffleIds) {
            if (random.nextBoolean()) {
                shuffles().remove(id);
            } else {
                shuffles().removeMapOutput(id, 0);
            }
        }

        assertThat(job.run()).as("seed %d, shuffles %s", seed, shuffleIds).isEqualTo(first)
                .isEqualTo(job.expected());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void run_taskFailsOnFirstAttempt_retriesToSameResult(long seed) {
        WordScores job = new WordScores(engine, seed, scenario, true);

        assertThat(job.run()).as("seed %d", seed).isEqualTo(job.expected());
        assertThat(job.failedAttempts()).as("seed %d", seed).isEqualTo(job.lines.isEmpty() ? 0 : 1);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void run_checkpointedThenParentsDropped_readsCheckpointToSameResult(long seed) {
        WordScores job = job(seed);
        job.counts.checkpoint();
        Map<String, Integer> first = job.run();
        assertThat(job.counts.isCheckpointed()).as("seed %d", seed).isTrue();
        int splitCalls = job.splitCalls();

        shuffles().shuffleIds().forEach(shuffles()::remove);
        blocks().removeIf(id -> true);

        assertThat(job.run()).as("seed %d", seed).isEqualTo(first).isEqualTo(job.expected());
        assertThat(job.splitCalls()).as("seed %d: lineage before the checkpoint must not run", seed)
                .isEqualTo(splitCalls);
        assertThat(job.counts.lineage()).as("seed %d", seed).doesNotContain("(shuffle)");
    }
}
