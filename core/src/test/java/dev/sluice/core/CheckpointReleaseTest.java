package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.scheduler.EngineRuntime;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chain of datasets that each read the previous one (what running state and incremental
 * windows build) must not keep the datasets before a completed checkpoint reachable.
 */
class CheckpointReleaseTest {
    private static final int STEPS = 30;
    private static final int CHECKPOINT_EVERY = 5;

    @TempDir
    Path checkpoints;

    @Test
    void completeCheckpoint_chainOfDatasets_releasesEarlierDatasetsAndTheirShuffles() {
        try (Engine engine = Engine.builder().parallelism(2).checkpointDir(checkpoints.toUri().toString()).build()) {
            Map<Integer, Integer> reference = new HashMap<>();
            PairDataset<Integer, Integer> state = engine.parallelizePairs(List.of(), 2);
            WeakReference<Dataset<?>> firstStep = null;
            for (int step = 0; step < STEPS; step++) {
                List<Pair<Integer, Integer>> batch = new ArrayList<>();
                for (int k = 0; k < 20; k++) {
                    batch.add(Pair.of((k * 7 + step) % 13, step));
                    reference.merge((k * 7 + step) % 13, step, Integer::sum);
                }
                PairDataset<Integer, Integer> next = PairDataset.<Integer, Integer>of(
                        state.union(engine.parallelizePairs(batch, 2))).reduceByKey(Integer::sum, 2).cache();
                if (step % CHECKPOINT_EVERY == 0) {
                    next.checkpoint();
                }
                next.count();
                if (step == 1) {
                    firstStep = new WeakReference<>(next);
                }
                state = next;
            }
            assertThat(state.collectAsMap()).isEqualTo(reference);
            WeakReference<Dataset<?>> early = firstStep;
            assertThat(afterGc(() -> early.get() == null)).as("dataset of step 1 is unreachable").isTrue();
            EngineRuntime runtime = engine.runtime();
            assertThat(afterGc(() -> runtime.shuffleRegistry().size() <= CHECKPOINT_EVERY + 1))
                    .as("shuffles held: %s", runtime.shuffleRegistry().shuffleIds()).isTrue();
            assertThat(state.lineage().lines().count()).isLessThanOrEqualTo(4 * CHECKPOINT_EVERY + 4);
        }
    }

    /** Asks for garbage collections until {@code condition} holds; at most 20, a safety bound. */
    private static boolean afterGc(BooleanSupplier condition) {
        for (int i = 0; i < 20 && !condition.getAsBoolean(); i++) {
            System.gc();
            System.runFinalization();
        }
        return condition.getAsBoolean();
    }
}
