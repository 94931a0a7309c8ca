package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Broadcast;
import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The documented stream pattern: a broadcast refreshed every 3 batches from {@code transform}, read
 * by every task of the batch that follows the refresh, the old one destroyed once the first batch
 * using the new one completed.
 */
class BroadcastRefreshTest {
    private static final int PARTITIONS = 3;
    private static final int BATCHES = 12;
    private static final int EVERY = 3;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void broadcastRefreshedEvery3Batches_everyTaskOfTheNextBatchReadsTheNewVersion(long seed) {
        Random random = new Random(seed);
        List<List<Integer>> input = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<Integer> batch = new ArrayList<>();
            for (int i = random.nextInt(10); i >= 0; i--) {
                batch.add(random.nextInt(100));
            }
            input.add(batch);
        }
        int[] factors = random.ints(BATCHES / EVERY, 2, 50).toArray();
        try (StreamingTestKit kit = StreamingTestKit.builder().parallelism(PARTITIONS).build()) {
            Engine engine = kit.context().engine();
            AtomicReference<Broadcast<Map<String, Integer>>> current = new AtomicReference<>();
            Map<Long, Broadcast<Map<String, Integer>>> replacedAt = new ConcurrentHashMap<>();
            List<Broadcast<Map<String, Integer>>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onBatchCompleted(BatchInfo info) {
                    // Batches complete in order: no batch still reads the broadcast replaced at this one.
                    Broadcast<Map<String, Integer>> old = replacedAt.remove(info.batchTime().millis());
                    if (old != null) {
                        old.destroy();
                    }
                }
            });
            DStream<Pair<String, Integer>> out = kit.input(input).transform((batch, time) -> {
                long index = time.millis() / 1000 - 1;
                if (index % EVERY == 0) {
                    int version = (int) (index / EVERY);
                    Broadcast<Map<String, Integer>> fresh = engine.broadcast(
                            Map.of("version", version, "factor", factors[version]));
                    Broadcast<Map<String, Integer>> old = current.getAndSet(fresh);
                    all.add(fresh);
                    if (old != null) {
                        replacedAt.put(time.millis(), old);
                    }
                }
                Broadcast<Map<String, Integer>> b = current.get();
                return batch.mapPartitions((Iterator<Integer> records) -> {
                    Map<String, Integer> table = b.value();
                    List<Pair<String, Integer>> result = new ArrayList<>();
                    result.add(Pair.of("task saw version", table.get("version")));
                    records.forEachRemaining(r -> result.add(Pair.of("record", r * table.get("factor"))));
                    return result.iterator();
                });
            });
            BatchOutput<Pair<String, Integer>> collected = kit.collect(out);
            kit.run(BATCHES);

            for (int k = 0; k < BATCHES; k++) {
                int version = k / EVERY;
                int factor = factors[version];
                List<Integer> seen = new ArrayList<>();
                List<Integer> records = new ArrayList<>();
                for (Pair<String, Integer> p : collected.batch(k)) {
                    (p.key().equals("record") ? records : seen).add(p.value());
                }
                assertThat(seen).as("seed %s batch %s: the version every task read", seed, k + 1)
                        .hasSize(PARTITIONS).containsOnly(version);
                assertThat(records).as("seed %s batch %s", seed, k + 1)
                        .isEqualTo(input.get(k).stream().map(r -> r * factor).toList());
            }
            assertThat(all).hasSize(BATCHES / EVERY);
            for (Broadcast<Map<String, Integer>> old : all.subList(0, all.size() - 1)) {
                assertThat(old.isDestroyed()).as("seed %s: %s, replaced and no longer read", seed, old).isTrue();
                assertThatThrownBy(old::value).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("broadcast " + old.id());
            }
            assertThat(current.get().isDestroyed()).isFalse();
        }
    }
}
