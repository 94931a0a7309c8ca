package dev.sluice.streaming.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A long run keeps neither datasets nor blocks of old batches: each stream remembers a bounded
 * number of batch times, and the block store holds only the blocks of the batches still remembered.
 */
@Timeout(120)
class MemoryBoundsIT {
    private static final int BATCHES = 1_000;
    private static final int BOUND = 4;

    @Test
    void thousandBatches_cachedReduceByKeyAndCount_storeAndMemoStayBounded() {
        List<List<Integer>> input = IntStream.range(0, BATCHES).mapToObj(i -> List.of(i % 7, i % 3, 1)).toList();
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofMillis(10))) {
            DStream<Integer> in = kit.input(input);
            runBounded(kit, in, batch -> { });
        }
    }

    @Test
    void thousandBatches_receiverInput_releasesInputBlocks() {
        StoringReceiver receiver = new StoringReceiver();
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofMillis(10))) {
            DStream<Integer> in = kit.context().receiverStream(receiver);
            runBounded(kit, in, batch -> receiver.store(List.of(batch % 7, batch % 3, 1)));
        }
    }

    private static void runBounded(StreamingTestKit kit, DStream<Integer> in, java.util.function.IntConsumer beforeTick) {
        PairDStream<Integer, Integer> reduced = in.mapToPair(x -> Pair.of(x, 1)).reduceByKey(Integer::sum);
        reduced.cache();
        DStream<Long> counted = reduced.count();
        List<DStream<?>> streams = List.of(in, reduced, counted);
        reduced.foreachBatch((ds, t) -> ds.collect());
        counted.foreachBatch((ds, t) -> ds.collect());
        BlockStore store = EngineServices.of(kit.context().engine()).runtime().blockStore();

        int maxBlocks = 0;
        int maxRemembered = 0;
        for (int batch = 0; batch < BATCHES; batch++) {
            beforeTick.accept(batch);
            kit.run(1);
            maxBlocks = Math.max(maxBlocks, store.size());
            for (DStream<?> s : streams) {
                maxRemembered = Math.max(maxRemembered, s.rememberedTimes().size());
            }
        }

        assertThat(kit.batchInfos()).hasSize(BATCHES);
        assertThat(maxBlocks).as("blocks in the store after any batch").isBetween(1, BOUND);
        assertThat(maxRemembered).as("batch times any stream remembers").isLessThanOrEqualTo(BOUND);
        assertThat(new ArrayList<>(streams)).allSatisfy(s -> assertThat(s.rememberedTimes()).isNotEmpty());
    }

    /** Stores what the test hands it. */
    static final class StoringReceiver extends Receiver<Integer> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }
}
