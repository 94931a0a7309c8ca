package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.shuffle.ShuffleRegistry;
import dev.sluice.core.storage.BlockId;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.core.storage.DatasetBlockId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Dataset#persist} promises at every {@link StorageLevel}: later jobs reuse the kept
 * partitions, {@code unpersist} drops them, and a lost partition is recomputed to the same
 * records. One subclass per level.
 */
abstract class StorageLevelContract {
    /** Calls of the mapping function; static so the function captures nothing of the test. */
    private static final AtomicInteger CALLS = new AtomicInteger();
    private static final List<Integer> NUMBERS = IntStream.range(0, 100).boxed().toList();
    private static final List<String> EXPECTED = NUMBERS.stream().map(x -> "n" + x * x).toList();

    @TempDir
    Path localDir;

    private Engine engine;
    private BlockStore blocks;

    abstract StorageLevel level();

    @BeforeEach
    void start() {
        CALLS.set(0);
        engine = Engine.builder().parallelism(2).localDir(localDir.resolve("blocks")).build();
        blocks = engine.runtime().blockStore();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private Dataset<String> squares() {
        return engine.parallelize(NUMBERS, 4).map(x -> {
            CALLS.incrementAndGet();
            return "n" + x * x;
        });
    }

    private List<BlockId> blocksOf(Dataset<?> dataset) {
        return blocks.ids().stream()
                .filter(id -> id instanceof DatasetBlockId d && d.datasetId() == dataset.id()).toList();
    }

    @Test
    void persist_secondAction_doesNotRecompute() {
        Dataset<String> kept = squares().persist(level());

        assertThat(kept.collect()).isEqualTo(EXPECTED);
        assertThat(kept.collect()).isEqualTo(EXPECTED);
        assertThat(kept.count()).isEqualTo(NUMBERS.size());

        assertThat(CALLS).hasValue(NUMBERS.size());
        assertThat(kept.isFullyCached()).isTrue();
        assertThat(kept.storageLevel()).isEqualTo(level());
        assertThat(blocksOf(kept)).hasSize(4);
    }

    @Test
    void persist_beforeAnyAction_keepsNothing() {
        Dataset<String> kept = squares().persist(level());

        assertThat(kept.isFullyCached()).isFalse();
        assertThat(blocks.size()).isZero();
        assertThat(CALLS).hasValue(0);
    }

    @Test
    void unpersist_afterAction_dropsBlocksAndRecomputes() {
        Dataset<String> kept = squares().persist(level());
        kept.collect();

        kept.unpersist();

        assertThat(blocksOf(kept)).isEmpty();
        assertThat(blocks.size()).isZero();
        assertThat(kept.isFullyCached()).isFalse();
        assertThat(kept.collect()).isEqualTo(EXPECTED);
        assertThat(CALLS).hasValue(2 * NUMBERS.size());
        assertThat(blocks.size()).isZero();
    }

    @Test
    void removedBlock_nextAction_recomputesThatPartitionOnly() {
        Dataset<String> kept = squares().persist(level());
        kept.collect();

        assertThat(blocks.remove(new DatasetBlockId(kept.id(), 1))).isTrue();

        assertThat(kept.collect()).isEqualTo(EXPECTED);
        assertThat(CALLS).hasValue(NUMBERS.size() + NUMBERS.size() / 4);
        assertThat(kept.isFullyCached()).isTrue();
    }

    @Test
    void persistedShuffleResult_shuffleOutputsLost_answersFromBlocks() {
        PairDataset<Integer, Integer> sums = squares().mapToPair(s -> Pair.of(s.length(), 1))
                .reduceByKey(Integer::sum).persist(level());
        Map<Integer, Integer> expected = sums.collectAsMap();
        ShuffleRegistry shuffles = engine.runtime().shuffleRegistry();

        shuffles.shuffleIds().forEach(shuffles::remove);

        assertThat(sums.collectAsMap()).isEqualTo(expected);
        assertThat(CALLS).hasValue(NUMBERS.size());
        assertThat(shuffles.size()).isZero();
    }

    @Test
    void persistedPairDataset_keyedOperationDownstream_readsKeptRecords() {
        PairDataset<Integer, String> byLength = squares().keyBy(String::length).persist(level());

        PairDataset<Integer, Integer> counts = byLength.mapValues(s -> 1).reduceByKey(Integer::sum);

        assertThat(counts.collectAsMap()).isEqualTo(byLength.countByKey().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().intValue())));
        assertThat(CALLS).hasValue(NUMBERS.size());
        assertThat(blocksOf(byLength)).hasSize(4);
    }
}
